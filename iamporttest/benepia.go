package iamporttest

import (
	"github.com/iamport-go/iamport"
)

// benepiaAccount is a Benepia account the fake knows. The password is kept
// to check logins: the fake is a test double, and no real password is ever
// given to it.
type benepiaAccount struct {
	password string
	points   int64 // hundredths
}

const (
	msgBenepiaLogin  = "베네피아 계정 정보가 올바르지 않습니다."
	msgBenepiaPoints = "베네피아 포인트 잔액이 부족합니다."
)

// SetBenepiaAccount makes a Benepia account with points, which POST
// /benepia/point reports and POST /benepia/payment spends.
func (s *Server) SetBenepiaAccount(user, password string, points iamport.Amount) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pg().benepia[user] = &benepiaAccount{password: password, points: points.Cents()}
}

// benepiaLogin checks the account and channel of a Benepia request.
func (c *core) benepiaLogin(rq *apiRequest) (*benepiaAccount, *result) {
	for _, k := range []string{"benepia_user", "benepia_password", "channel_key"} {
		if v, err := getStr(rq.body, k); err != nil || v == "" {
			r := badRequest(missing(k).msg)
			return nil, &r
		}
	}
	user, _ := getStr(rq.body, "benepia_user")
	pwd, _ := getStr(rq.body, "benepia_password")
	a, ok := c.pg().benepia[user]
	if !ok || a.password != pwd {
		r := business(-1, msgBenepiaLogin)
		return nil, &r
	}
	return a, nil
}

// benepiaPoint is POST /benepia/point.
func (c *core) benepiaPoint(rq *apiRequest) result {
	a, res := c.benepiaLogin(rq)
	if res != nil {
		return *res
	}
	return okResult(map[string]any{"point": amount(a.points)})
}

// benepiaPayment is POST /benepia/payment: it spends the account's points.
func (c *core) benepiaPayment(rq *apiRequest) result {
	a, res := c.benepiaLogin(rq)
	if res != nil {
		return *res
	}
	if _, err := reqStr(rq.body, "name", 0); err != nil {
		return paramResult(err)
	}
	firstNoticeURL(rq.body)
	o, err := readOrder(rq.body)
	if err != nil {
		return paramResult(err)
	}
	if c.alreadyPaid(o.merchantUID) {
		return business(1, msgAlreadyPaid)
	}
	if o.cents > a.points {
		return business(-1, msgBenepiaPoints)
	}
	a.points -= o.cents
	p := c.makePayment(&o, "", "", nil, nil, "")
	p.PayMethod, p.PGProvider = "point", "benepia"
	r := okResult(wirePayment(p))
	r.hooks = c.paidHook(p)
	return r
}
