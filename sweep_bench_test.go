package iamport_test

// Sweep benchmarks; see BENCHMARKS.md. The fake runs in a process of its own
// (testdata/sweepfake), so that this process holds only the sweep. The large
// ones take minutes, so they run only when named:
//
//	go test -run '^$' -bench 'SweepScale' -benchtime=1x

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// benchStart and benchPlan are testdata/sweepfake's Start and plan.
var benchStart = time.Date(2030, 1, 1, 9, 0, 0, 0, time.FixedZone("KST", 9*60*60))

func benchPlan(customerUID string) *iamport.Plan {
	i, err := strconv.Atoi(strings.TrimPrefix(customerUID, "bench_cust_"))
	if err != nil {
		return nil
	}
	return &iamport.Plan{CustomerUID: customerUID, Amount: 8900, Name: "Monthly subscription",
		Anchor: benchStart.Add(time.Hour + time.Duration(i%(20*60))*time.Minute)}
}

// benchFake is a running testdata/sweepfake.
type benchFake struct {
	api, control string
	stdin        io.WriteCloser
	cmd          *exec.Cmd
}

var buildFake = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "sweepfake")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "sweepfake")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/sweepfake").CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w\n%s", err, out)
	}
	return bin, nil
})

// startFake starts a fake with n subscribers due in the window, every
// webhook lost.
func startFake(b *testing.B, n int) *benchFake {
	b.Helper()
	bin, err := buildFake()
	if err != nil {
		b.Fatalf("building testdata/sweepfake: %v", err)
	}
	cmd := exec.Command(bin, "-n", strconv.Itoa(n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) != 2 {
		_ = stdin.Close()
		_ = cmd.Wait()
		b.Fatalf("sweepfake did not start: %q %v", line, err)
	}
	return &benchFake{api: f[0], control: f[1], stdin: stdin, cmd: cmd}
}

func (f *benchFake) stop() {
	_ = f.stdin.Close() // sweepfake exits when its input closes
	_ = f.cmd.Wait()
}

func (f *benchFake) calls(b *testing.B) int {
	b.Helper()
	resp, err := http.Get(f.control + "/calls")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	n, err := strconv.Atoi(string(body))
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// benchSweeper is a merchant's sweeper whose plans come from a formula, as
// from a database query, and whose callback only counts: this process holds
// no per-subscriber state of its own.
func benchSweeper(b *testing.B, f *benchFake, calls *atomic.Int64) *iamport.Sweeper {
	b.Helper()
	c, err := iamport.New(iamporttest.DefaultAPIKey, iamporttest.DefaultAPISecret, iamport.WithBaseURL(f.api))
	if err != nil {
		b.Fatal(err)
	}
	return &iamport.Sweeper{
		Client: c,
		Plans: func(_ context.Context, uids []string) (map[string][]*iamport.Plan, error) {
			out := make(map[string][]*iamport.Plan, len(uids))
			for _, u := range uids {
				if p := benchPlan(u); p != nil {
					out[u] = []*iamport.Plan{p}
				}
			}
			return out, nil
		},
		OnPayment: func(context.Context, *iamport.Plan, *iamport.Payment) error {
			calls.Add(1)
			return nil
		},
	}
}

// livePeak collects garbage and reads the live heap every 20ms until stop is
// called, and returns the highest value seen.
func livePeak() (stop func() uint64) {
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// benchSweep times sweeps over n subscribers due in the window. "recover"
// is the first sweep after every webhook was lost: it schedules every
// follow-up. "steady" is a sweep after that, which finds every follow-up
// already scheduled: what each sweep every few minutes costs.
func benchSweep(b *testing.B, n int) {
	run := func(b *testing.B, f *benchFake) {
		b.Helper()
		var calls atomic.Int64
		sw := benchSweeper(b, f, &calls)
		before := f.calls(b)
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		stop := livePeak()
		b.StartTimer()
		rep, err := sw.Run(context.Background())
		b.StopTimer()
		peak := stop()
		runtime.ReadMemStats(&ms1)
		if err != nil || rep.Outcomes[iamport.SweepFollowedUp] != n || calls.Load() != int64(n) {
			b.Fatalf("sweep: %v (%s)", err, rep)
		}
		b.ReportMetric(float64(f.calls(b)-before)/float64(n), "requests/schedule")
		b.ReportMetric(float64(f.calls(b)-before), "requests")
		b.ReportMetric(float64(peak)/(1<<20), "peak-live-heap-MB")
		b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(n), "allocs/schedule")
	}
	b.Run("recover", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			f := startFake(b, n)
			run(b, f)
			f.stop()
		}
	})
	b.Run("steady", func(b *testing.B) {
		b.StopTimer()
		f := startFake(b, n)
		defer f.stop()
		var calls atomic.Int64
		if _, err := benchSweeper(b, f, &calls).Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		for range b.N {
			run(b, f)
		}
	})
}

// BenchmarkSweep is the small one, run with the others by -bench .
func BenchmarkSweep(b *testing.B) { benchSweep(b, 1000) }

// BenchmarkSweepScale10k and BenchmarkSweepScale100k are the ones
// BENCHMARKS.md reports.
func BenchmarkSweepScale10k(b *testing.B)  { benchSweep(b, 10_000) }
func BenchmarkSweepScale100k(b *testing.B) { benchSweep(b, 100_000) }
