//go:build race

package iamport

// raceEnabled reports whether the tests run under the race detector, which
// makes every memory access several times slower: the tests that check a
// property on tens of thousands of generated inputs check fewer there (see
// raceScaled), and all of them in a plain go test.
const raceEnabled = true
