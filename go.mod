module github.com/iamport-go/iamport

go 1.23.0

require github.com/go-resty/resty/v2 v2.17.2

require (
	github.com/stretchr/testify v1.11.1 // indirect
	golang.org/x/net v0.43.0 // indirect
)
