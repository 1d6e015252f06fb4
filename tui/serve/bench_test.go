package serve

import (
	"context"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/train"
)

// withStarter replaces the test hub by one that starts runs with s.
func withStarter(s engine.Starter) envOption {
	return func(c *Config, e *testEnv) {
		e.hub = engine.NewHub(context.Background(), s)
		c.Hub = e.hub
	}
}

// countWriter counts what it is given and keeps nothing.
type countWriter struct{ n atomic.Int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// viewer connects a workbench of w x h that only counts what it receives.
func (e *testEnv) viewer(b *testing.B, key gossh.Signer, w, h int, keys string) *countWriter {
	b.Helper()
	c, err := e.dial(gossh.PublicKeys(key))
	if err != nil {
		b.Fatal(err)
	}
	sess, err := c.NewSession()
	if err != nil {
		b.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		b.Fatal(err)
	}
	cw := &countWriter{}
	sess.Stdout = cw
	stdin, err := sess.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		b.Fatal(err)
	}
	io.WriteString(stdin, keys)
	b.Cleanup(func() { sess.Close(); c.Close() })
	return cw
}

func heapMB() float64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20) // live bytes after a full collection
}

// BenchmarkViewers connects 20 viewers to one server, each watching the same busy run in the
// Monitor pane (100 batch reports a second; an epoch a second, or a minute), and measures, over
// b.N seconds of watching: the bytes each viewer receives per second (B/s/viewer: the terminal
// stream; wire-B/s/viewer: what the server writes, SSH framing and encryption included), and
// the heap and goroutines after the viewers settled, half-way and at the end. The heap rises
// for the first two minutes or so while the renderers' models of the screens fill (see the
// README, "Serving"), then grows only with the run's history, which every viewer's panes keep
// to draw the curves (a few hundred bytes an epoch): heap-KB/min-last-half is that growth, and
// with an epoch a minute it is near zero. Run it for several minutes, -benchtime=360x (one
// iteration is one second); -v logs the heap every 30 s.
func BenchmarkViewers(b *testing.B) {
	b.Run("epoch=1s", func(b *testing.B) { benchViewers(b, 100, "epoch 3/") })
	b.Run("epoch=60s", func(b *testing.B) { benchViewers(b, 6000, "epoch 1/") })
}

func benchViewers(b *testing.B, batchesPerEpoch int, started string) {
	const viewers = 20
	if os.Getenv("HARK_BENCH_HEAP") != "" {
		runtime.MemProfileRate = 4096 // precise enough to attribute a slow growth
	}
	e := newEnv(b, withStarter(pacedStarter(1_000_000, batchesPerEpoch, 10*time.Millisecond)),
		func(c *Config, _ *testEnv) { c.MaxSessions = viewers + 1 })
	// One viewer with a screen, to check that the run is on the Monitor pane.
	probe := e.open(e.ro, 120, 40, "xterm-256color")
	key := paneKey(b, probe.waitScreen("the tab bar", hasTabBar), "Monitor")
	probe.typeKeys(key)
	counters := make([]*countWriter, viewers)
	for i := range counters {
		counters[i] = e.viewer(b, e.ro, 120, 40, key)
	}
	id, err := e.hub.Start(train.RunSpec{Name: "load"}, "alice")
	if err != nil {
		b.Fatal(err)
	}
	probe.waitText(id, started)
	probe.close()

	total := func() (client int64) {
		for _, c := range counters {
			client += c.n.Load()
		}
		return client
	}
	time.Sleep(2 * time.Second)
	heap0, gor0 := heapMB(), runtime.NumGoroutine()
	writeHeap := func(suffix string) {
		// Heap profiles with the viewers connected, at the start and the end of the timed part:
		// go tool pprof -sample_index=inuse_space -base FILE.start FILE.end.
		if path := os.Getenv("HARK_BENCH_HEAP"); path != "" {
			if f, err := os.Create(path + suffix); err == nil {
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
	}
	writeHeap(".start")
	client0, wire0 := total(), e.srv.Stats().BytesSent
	start := time.Now()
	heapMid := heap0
	b.ResetTimer()
	for i := range b.N {
		time.Sleep(time.Second)
		if i+1 == b.N/2 {
			heapMid = heapMB()
		}
		if testing.Verbose() && (i+1)%30 == 0 {
			b.Logf("%4d s: heap %.1f MB, %d goroutines", i+1, heapMB(), runtime.NumGoroutine())
		}
	}
	b.StopTimer()
	secs := time.Since(start).Seconds()
	client1, wire1 := total(), e.srv.Stats().BytesSent
	heap1, gor1 := heapMB(), runtime.NumGoroutine()
	writeHeap(".end")
	if s := e.srv.Stats(); s.Sessions != viewers {
		b.Errorf("%d sessions at the end, want %d", s.Sessions, viewers)
	}
	if info := e.hub.Runs()[0]; info.State != engine.StateRunning {
		b.Errorf("the run: %+v", info)
	}
	b.ReportMetric(float64(client1-client0)/secs/viewers, "B/s/viewer")
	b.ReportMetric(float64(wire1-wire0)/secs/viewers, "wire-B/s/viewer")
	b.ReportMetric(heap0, "heap-MB-start")
	b.ReportMetric(heap1, "heap-MB-end")
	if b.N >= 2 {
		b.ReportMetric((heap1-heapMid)*1024/(secs/2/60), "heap-KB/min-last-half")
	}
	b.ReportMetric(float64(gor0), "goroutines-start")
	b.ReportMetric(float64(gor1), "goroutines-end")
	b.ReportMetric(viewers, "viewers")
	if testing.Verbose() {
		b.Logf("%d viewers for %.0f s: %.0f B/s each (%.0f on the wire); heap %.1f -> %.1f MB; goroutines %d -> %d",
			viewers, secs, float64(client1-client0)/secs/viewers, float64(wire1-wire0)/secs/viewers, heap0, heap1, gor0, gor1)
	}
}
