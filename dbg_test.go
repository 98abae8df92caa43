package iamport

import (
	"context"
	"sync"
	"testing"
)

func TestDbgReuse(t *testing.T) {
	s := newReuseServer(t, 7)
	c, _ := New("key", "secret", WithBaseURL(s.URL), WithTier("T1"), WithBearerAuth())
	var wg sync.WaitGroup
	for g := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := reuseCalls(context.Background(), c, g, 40); err != nil {
				t.Errorf("g%d: %v", g, err)
			}
		}()
	}
	wg.Wait()
	t.Logf("tokens=%d calls=%d", s.tokens, s.calls)
}
