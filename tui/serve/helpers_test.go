package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/views/tuitest"
)

// gatedStarter runs jobs of epochs epochs that wait on gate before each one (as in
// engine/hub_test.go), so that tests control a run's pace.
func gatedStarter(epochs int, gate chan struct{}) engine.Starter {
	return func(ctx context.Context, id string, spec train.RunSpec) (*train.Run, error) {
		return train.Launch(ctx, id, spec, func(ctx context.Context, emit func(train.Event)) (*train.Result, error) {
			emit(train.RunStarted{Header: train.Header{Run: id}, Spec: spec, Task: "classify",
				Classes: []string{"a", "b"}, Sizes: map[string]int{"train": 8, "val": 2}})
			for e := 1; e <= epochs; e++ {
				select {
				case <-gate:
				case <-ctx.Done():
					return &train.Result{RunID: id, Epochs: e - 1}, ctx.Err()
				}
				for b := 1; b <= 3; b++ {
					emit(train.BatchDone{Header: train.Header{Run: id}, Epoch: e, Batch: b, Batches: 3, Loss: 1 / float64(e)})
				}
				emit(train.EpochDone{Header: train.Header{Run: id}, Epoch: e, Epochs: epochs,
					TrainLoss: 1 / float64(e), ValLoss: 1.2 / float64(e), Metric: "accuracy",
					TrainMetric: 1 - 0.5/float64(e), ValMetric: 1 - 0.6/float64(e), LR: 1e-3})
			}
			return &train.Result{RunID: id, Epochs: epochs}, nil
		}), nil
	}
}

// pacedStarter runs jobs that report a batch every batchEvery and end an epoch every batches
// batches, for epochs epochs: a busy run for the load benchmark.
func pacedStarter(epochs, batches int, batchEvery time.Duration) engine.Starter {
	return func(ctx context.Context, id string, spec train.RunSpec) (*train.Run, error) {
		return train.Launch(ctx, id, spec, func(ctx context.Context, emit func(train.Event)) (*train.Result, error) {
			emit(train.RunStarted{Header: train.Header{Run: id}, Spec: spec, Task: "classify",
				Classes: []string{"a", "b"}, Sizes: map[string]int{"train": 800, "val": 200}})
			tick := time.NewTicker(batchEvery)
			defer tick.Stop()
			for e := 1; e <= epochs; e++ {
				for b := 1; b <= batches; b++ {
					select {
					case <-tick.C:
					case <-ctx.Done():
						return &train.Result{RunID: id, Epochs: e - 1}, ctx.Err()
					}
					emit(train.BatchDone{Header: train.Header{Run: id, Time: time.Now()}, Epoch: e, Batch: b,
						Batches: batches, Loss: 1 / float64(e+b), SamplesPerSecond: 1000})
				}
				emit(train.EpochDone{Header: train.Header{Run: id, Time: time.Now()}, Epoch: e, Epochs: epochs,
					TrainLoss: 1 / float64(e), ValLoss: 1.2 / float64(e), Metric: "accuracy",
					TrainMetric: 1 - 0.5/float64(e), ValMetric: 1 - 0.6/float64(e), LR: 1e-3, SamplesPerSecond: 1000})
			}
			return &train.Result{RunID: id, Epochs: epochs}, nil
		}), nil
	}
}

// newKey returns a fresh ed25519 key.
func newKey(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// authorizedLine is key's line in an authorized_keys file.
func authorizedLine(s gossh.Signer, comment string) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))) + " " + comment + "\n"
}

// testEnv is a server on a loopback port with a full key (alice), a read-only key (bob), the
// small demo dataset as its one root and a hub whose runs tests pace.
type testEnv struct {
	t        testing.TB
	srv      *Server
	hub      *engine.Hub
	gate     chan struct{}
	addr     string
	full, ro gossh.Signer
	data     string
	dir      string // for key files and whatever else a test writes
	served   chan error

	mu      sync.Mutex
	engines []*UserEngine
}

type envOption func(*Config, *testEnv)

func newEnv(t testing.TB, opts ...envOption) *testEnv {
	t.Helper()
	e := &testEnv{t: t, gate: make(chan struct{}, 100), dir: t.TempDir(), full: newKey(t), ro: newKey(t)}
	e.hub = engine.NewHub(context.Background(), gatedStarter(5, e.gate))
	e.data = tuitest.DemoDir(t)
	write(t, filepath.Join(e.dir, "authorized_keys"), "# the team\n"+authorizedLine(e.full, "alice"))
	write(t, filepath.Join(e.dir, "read_only_keys"), authorizedLine(e.ro, "bob"))
	cfg := Config{
		Listen:         "127.0.0.1:0",
		AuthorizedKeys: filepath.Join(e.dir, "authorized_keys"),
		ReadOnlyKeys:   filepath.Join(e.dir, "read_only_keys"),
		HostKey:        filepath.Join(e.dir, "host_key"),
		Data:           []string{e.data},
		Hub:            e.hub,
	}
	for _, o := range opts {
		o(&cfg, e)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.onSession = func(u *UserEngine) {
		e.mu.Lock()
		e.engines = append(e.engines, u)
		e.mu.Unlock()
	}
	e.srv = srv
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		t.Fatal(err)
	}
	e.addr = ln.Addr().String()
	e.served = make(chan error, 1)
	go func() { e.served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return e
}

func write(t testing.TB, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// engineOf returns the engine the server built for the session of owner.
func (e *testEnv) engineOf(owner string) *UserEngine {
	e.t.Helper()
	deadline := time.Now().Add(liveness)
	for time.Now().Before(deadline) {
		e.mu.Lock()
		for _, u := range e.engines {
			if u.Owner == owner {
				e.mu.Unlock()
				return u
			}
		}
		e.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Fatalf("no session of %s", owner)
	return nil
}

// dial connects with the given authentication methods.
func (e *testEnv) dial(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", e.addr, &gossh.ClientConfig{
		User:            "tester",
		Auth:            auth,
		HostKeyCallback: gossh.FixedHostKey(e.srv.host.PublicKey()),
		Timeout:         10 * time.Second,
	})
}

// client is one SSH user's terminal: the session's output is fed to a screen.
type client struct {
	t       testing.TB
	c       *gossh.Client
	sess    *gossh.Session
	stdin   io.WriteCloser
	mu      sync.Mutex
	scr     *tuitest.Screen
	raw     bytes.Buffer
	stderr  bytes.Buffer
	n       int64 // bytes of output received
	done    chan struct{}
	waitErr error
}

// open connects with key and opens the workbench in a w x h terminal of type term, with env
// sent first.
func (e *testEnv) open(key gossh.Signer, w, h int, term string, env ...string) *client {
	e.t.Helper()
	c, err := e.dial(gossh.PublicKeys(key))
	if err != nil {
		e.t.Fatal(err)
	}
	cl, err := startShell(e.t, c, w, h, term, env...)
	if err != nil {
		e.t.Fatal(err)
	}
	return cl
}

func startShell(t testing.TB, c *gossh.Client, w, h int, term string, env ...string) (*client, error) {
	sess, err := c.NewSession()
	if err != nil {
		c.Close()
		return nil, err
	}
	for i := 0; i+1 < len(env); i += 2 {
		if err := sess.Setenv(env[i], env[i+1]); err != nil {
			return nil, err
		}
	}
	if err := sess.RequestPty(term, h, w, gossh.TerminalModes{}); err != nil {
		return nil, err
	}
	cl := &client{t: t, c: c, sess: sess, scr: tuitest.NewScreen(w, h), done: make(chan struct{})}
	out, err := sess.StdoutPipe()
	if err != nil {
		return nil, err
	}
	sess.Stderr = &lockedWriter{mu: &cl.mu, w: &cl.stderr}
	if cl.stdin, err = sess.StdinPipe(); err != nil {
		return nil, err
	}
	if err := sess.Shell(); err != nil {
		return nil, err
	}
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := out.Read(buf)
			cl.mu.Lock()
			cl.n += int64(n)
			if cl.raw.Len() < 1<<20 {
				cl.raw.Write(buf[:n])
			}
			cl.scr.Write(buf[:n])
			cl.mu.Unlock()
			if err != nil {
				break
			}
		}
		cl.waitErr = sess.Wait()
		close(cl.done)
	}()
	t.Cleanup(cl.close)
	return cl, nil
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (cl *client) close() {
	cl.sess.Close()
	cl.c.Close()
}

// text returns the screen now.
func (cl *client) text() string {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.scr.Text()
}

func (cl *client) rawOutput() string {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.raw.String()
}

func (cl *client) stderrText() string {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.stderr.String()
}

// waitScreen waits until the screen satisfies ok.
func (cl *client) waitScreen(what string, ok func(string) bool) string {
	cl.t.Helper()
	deadline := time.Now().Add(liveness)
	for {
		s := cl.text()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			cl.t.Fatalf("timed out waiting for %s; the screen:\n%s", what, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitText waits until the screen shows every one of parts.
func (cl *client) waitText(parts ...string) string {
	cl.t.Helper()
	return cl.waitScreen(strings.Join(parts, ", "), func(s string) bool {
		for _, p := range parts {
			if !strings.Contains(s, p) {
				return false
			}
		}
		return true
	})
}

// waitEnd waits until the server ends the session and returns its exit status.
func (cl *client) waitEnd() int {
	cl.t.Helper()
	select {
	case <-cl.done:
	case <-time.After(liveness):
		cl.t.Fatalf("the session did not end; the screen:\n%s", cl.text())
	}
	var ee *gossh.ExitError
	if errors.As(cl.waitErr, &ee) {
		return ee.ExitStatus()
	}
	if cl.waitErr != nil {
		return -1
	}
	return 0
}

func (cl *client) typeKeys(s string) {
	cl.t.Helper()
	if _, err := io.WriteString(cl.stdin, s); err != nil {
		cl.t.Fatal(err)
	}
}

// liveness is how long a test waits for something that should happen within a second: long,
// because CI runs the packages in parallel on two busy cores, and only a failing test waits it
// out.
const liveness = 60 * time.Second
