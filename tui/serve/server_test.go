package serve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
)

// tabBar matches the workbench's first line: the brand and the numbered panes.
var tabBar = regexp.MustCompile(`hark .*1 Datasets.*2 Inspector`)

func hasTabBar(s string) bool {
	first, _, _ := strings.Cut(s, "\n")
	return tabBar.MatchString(first)
}

func TestKeyAcceptedAndWorkbenchDraws(t *testing.T) {
	e := newEnv(t)
	cl := e.open(e.full, 100, 30, "xterm-256color")
	scr := cl.waitScreen("the tab bar", hasTabBar)
	// The served dataset opens: the browser names its folder.
	cl.waitText(filepath.Base(e.data))
	if st := e.srv.Stats(); st.Sessions != 1 {
		t.Errorf("stats %+v, want 1 session", st)
	}
	cl.typeKeys("q")
	if code := cl.waitEnd(); code != 0 {
		t.Errorf("exit status %d after q, want 0; screen:\n%s", code, scr)
	}
	deadline := time.Now().Add(5 * time.Second)
	for e.srv.Stats().Sessions != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if st := e.srv.Stats(); st.Sessions != 0 || st.Served != 1 || st.BytesSent == 0 {
		t.Errorf("stats after quit %+v", st)
	}
}

func TestEachSessionHasItsOwnSizeAndColours(t *testing.T) {
	e := newEnv(t)
	a := e.open(e.full, 120, 40, "xterm-256color")
	b := e.open(e.full, 80, 24, "xterm-256color", "NO_COLOR", "1")
	c := e.open(e.full, 90, 30, "xterm-256color", "COLORTERM", "truecolor")
	for _, cl := range []*client{a, b, c} {
		cl.waitScreen("the tab bar", hasTabBar)
	}
	// Each draws for its own terminal: the footer is on its own last line.
	for _, cl := range []*client{a, b, c} {
		lines := strings.Split(cl.text(), "\n")
		if w, h := cl.scr.Size(); len(lines) != h || strings.TrimSpace(lines[len(lines)-1]) == "" {
			t.Errorf("%dx%d terminal: last line %q, want the footer", w, h, lines[len(lines)-1])
		}
	}
	// Switching panes in one session does not move the others.
	a.typeKeys("2")
	a.waitScreen("Inspector in front", func(s string) bool {
		return strings.Contains(firstLine(s), "[2 Inspector]") || !strings.Contains(s, filepath.Base(e.data))
	})
	if !strings.Contains(b.text(), filepath.Base(e.data)) {
		t.Errorf("another session's keys moved this one:\n%s", b.text())
	}
	if !hasColour(a.rawOutput()) || !hasColour(c.rawOutput()) {
		t.Errorf("colour terminals got no colour escapes")
	}
	if hasColour(b.rawOutput()) {
		t.Errorf("the NO_COLOR client got colour escapes (the server's or another session's profile)")
	}
}

var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// hasColour reports whether out sets a foreground or background colour.
func hasColour(out string) bool {
	for _, m := range sgr.FindAllStringSubmatch(out, -1) {
		for _, p := range strings.Split(m[1], ";") {
			var n int
			if _, err := fmt.Sscan(p, &n); err != nil {
				continue
			}
			if (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107) {
				return true
			}
		}
	}
	return false
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func TestWrongKeyAndNoKeyRefused(t *testing.T) {
	e := newEnv(t)
	if c, err := e.dial(gossh.PublicKeys(newKey(t))); err == nil {
		c.Close()
		t.Error("a key not in --authorized-keys got in")
	} else if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("wrong key: %v", err)
	}
	if c, err := e.dial(); err == nil {
		c.Close()
		t.Error("a client without a key got in")
	}
	if c, err := e.dial(gossh.Password("hunter2")); err == nil {
		c.Close()
		t.Error("a password got in")
	}
	if c, err := e.dial(gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })); err == nil {
		c.Close()
		t.Error("keyboard-interactive got in without --allow-anonymous")
	}
	// A key removed from the file is refused from then on, without a restart.
	write(t, filepath.Join(e.dir, "authorized_keys"), "# nobody\n")
	future := time.Now().Add(2 * time.Second)
	os.Chtimes(filepath.Join(e.dir, "authorized_keys"), future, future)
	time.Sleep(1100 * time.Millisecond)
	if c, err := e.dial(gossh.PublicKeys(e.full)); err == nil {
		c.Close()
		t.Error("a key removed from --authorized-keys still gets in")
	}
}

func TestReadOnlyKeyCannotStartOrStopARun(t *testing.T) {
	e := newEnv(t)
	bob := e.open(e.ro, 100, 30, "xterm-256color")
	alice := e.open(e.full, 100, 30, "xterm-256color")
	bob.waitScreen("the tab bar", hasTabBar)
	alice.waitScreen("the tab bar", hasTabBar)
	ro, full := e.engineOf("bob"), e.engineOf("alice")
	if ro.Access != ReadOnly || full.Access != Full {
		t.Fatalf("access: bob %v, alice %v", ro.Access, full.Access)
	}
	spec := train.RunSpec{Name: "genre", Dataset: train.DatasetRef{Spec: dataset.Spec{Root: e.data}}}
	// Through the functions the workbench's panes call.
	if _, err := ro.Engine().Start(spec); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("read-only Start: %v, want ErrReadOnly", err)
	} else if !strings.Contains(err.Error(), "read-only") {
		t.Errorf("message %q does not say read-only", err)
	}
	if runs := e.hub.Runs(); len(runs) != 0 {
		t.Fatalf("a refused start left runs: %+v", runs)
	}
	id, err := full.Engine().Start(spec)
	if err != nil {
		t.Fatal(err)
	}
	if runs := ro.Engine().Runs(); len(runs) != 1 || runs[0].Owner != "alice" {
		t.Errorf("bob sees runs %+v, want alice's", runs)
	}
	if err := ro.Engine().Stop(id); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only Stop: %v, want ErrReadOnly", err)
	}
	if st := e.hub.Runs()[0].State; st != engine.StateRunning {
		t.Errorf("after a refused stop the run is %s", st)
	}
	if err := full.Engine().Stop(id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.hub.Wait(id); err != nil {
		t.Fatal(err)
	}
}

func TestPathsOutsideTheRootsRefused(t *testing.T) {
	e := newEnv(t)
	// Things outside the served folder: a dataset, a file, and links to them from inside.
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(outside, "secret", "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(outside, "secret", "a", "x.wav"), "not audio")
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(e.data, "link-out")); err != nil {
		t.Fatal(err)
	}
	cl := e.open(e.full, 100, 30, "xterm-256color")
	cl.waitScreen("the tab bar", hasTabBar)
	u := e.engineOf("alice").Engine()

	for _, p := range []string{
		filepath.Join(e.data, "..", filepath.Base(outside), "secret"), // ../
		filepath.Join(e.data, "..", ".."),
		"../../etc",
		"/etc",
		filepath.Join(e.data, "link-out"), // a link inside pointing outside
		filepath.Join(e.data, "link-out", "a", "..", "a"),
		filepath.Join(outside, "secret"),
	} {
		if _, err := u.Open(dataset.Spec{Root: p}); !errors.Is(err, ErrOutsideRoots) {
			t.Errorf("Open(%s): %v, want a refusal", p, err)
		} else if !strings.Contains(err.Error(), "outside the folders this server serves") {
			t.Errorf("Open(%s): unclear message %q", p, err)
		}
	}
	if _, err := u.Extract(filepath.Join(e.data, "link-out", "a", "x.wav"), extract.Default("mel")); !errors.Is(err, ErrOutsideRoots) {
		t.Errorf("Extract through a link: %v, want a refusal", err)
	}
	if _, err := u.Open(dataset.Spec{Root: e.data, Manifest: dataset.ManifestSpec{File: "/etc/passwd"}}); !errors.Is(err, ErrOutsideRoots) {
		t.Errorf("a manifest outside: %v, want a refusal", err)
	}
	if _, err := u.Start(train.RunSpec{Dataset: train.DatasetRef{Spec: dataset.Spec{Root: "/"}}}); !errors.Is(err, ErrOutsideRoots) {
		t.Errorf("Start on /: %v, want a refusal", err)
	}
	if _, err := u.Start(train.RunSpec{Dataset: train.DatasetRef{Spec: dataset.Spec{Root: e.data}},
		Model: train.ModelRef{From: "../../model.gob"}}); !errors.Is(err, ErrOutsideRoots) {
		t.Errorf("Start from a model outside: %v, want a refusal", err)
	}
	if len(e.hub.Runs()) != 0 {
		t.Errorf("refused starts left runs")
	}

	// Inside is fine, relative paths are relative to the first root, and a dataset whose
	// folder holds a link to a file outside is refused as a whole.
	os.Remove(filepath.Join(e.data, "link-out"))
	cat, err := u.Open(dataset.Spec{Root: e.data})
	if err != nil || len(cat.Items) == 0 {
		t.Fatalf("Open of the served folder: %v", err)
	}
	if _, err := u.Extract(cat.Items[0].Path, extract.Default("mel")); err != nil {
		t.Errorf("Extract inside: %v", err)
	}
	rel, _ := filepath.Rel(e.data, cat.Items[0].Path)
	if _, err := u.Extract(rel, extract.Default("mel")); err != nil {
		t.Errorf("Extract of a relative path: %v", err)
	}
	// A link to a file outside, inside a class folder, is not taken as an item (or the
	// dataset is refused); a manifest naming a file outside is refused.
	real := filepath.Join(outside, "real.wav")
	data, _ := os.ReadFile(cat.Items[0].Path)
	write(t, real, string(data))
	if err := os.Symlink(real, filepath.Join(filepath.Dir(cat.Items[0].Path), "zz-link.wav")); err != nil {
		t.Fatal(err)
	}
	if cat, err := u.Open(dataset.Spec{Root: e.data}); err == nil {
		for _, it := range cat.Items {
			if strings.Contains(it.Path, "zz-link") {
				t.Errorf("a link to a file outside became an item: %s", it.Path)
			}
		}
	} else if !errors.Is(err, ErrOutsideRoots) {
		t.Errorf("a dataset with a link outside: %v", err)
	}
	man := filepath.Join(e.data, "listed")
	os.MkdirAll(man, 0o755)
	write(t, filepath.Join(man, "clip.wav"), string(data))
	write(t, filepath.Join(man, "labels.csv"), "path,label\nclip.wav,a\n"+real+",b\n")
	if _, err := u.Open(dataset.Spec{Root: man}); !errors.Is(err, ErrOutsideRoots) || !strings.Contains(err.Error(), real) {
		t.Errorf("a manifest naming a file outside: %v, want a refusal naming it", err)
	}
}

func TestRootsResolve(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "data")
	os.MkdirAll(filepath.Join(root, "a"), 0o755)
	os.MkdirAll(filepath.Join(base, "data-evil"), 0o755)
	os.Symlink(filepath.Join(root, "a"), filepath.Join(base, "alias")) // a link to the root's inside
	r, err := NewRoots([]string{filepath.Join(base, "alias"), root})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		ok   bool
	}{
		{root, true},
		{filepath.Join(root, "a"), true},
		{filepath.Join(root, "a", "not-yet"), true},
		{filepath.Join(root, "a", "no", "such", "..", "..", "x"), true},
		{filepath.Join(base, "alias", "x"), true},
		{filepath.Join(base, "data-evil"), false}, // shares a prefix, not a parent
		{filepath.Join(root, ".."), false},
		{filepath.Join(root, "a", "..", "..", "data-evil"), false},
		{"x", true}, // relative to the first root
		{"../../data-evil", false},
		{"", true},
	} {
		_, err := r.Resolve(c.path)
		if (err == nil) != c.ok {
			t.Errorf("Resolve(%q): %v, want ok=%v", c.path, err, c.ok)
		}
	}
	if _, err := (&Roots{}).Resolve("/"); !errors.Is(err, ErrOutsideRoots) {
		t.Errorf("no roots: %v", err)
	}
	if _, err := NewRoots([]string{filepath.Join(base, "missing")}); err == nil {
		t.Error("a missing --data folder was accepted")
	}
}

func TestTwoClientsWatchTheSameLiveRun(t *testing.T) {
	e := newEnv(t)
	a := e.open(e.full, 110, 32, "xterm-256color")
	b := e.open(e.ro, 90, 28, "xterm-256color", "NO_COLOR", "1")
	first := a.waitScreen("the tab bar", hasTabBar)
	b.waitScreen("the tab bar", hasTabBar)
	if !strings.Contains(firstLine(first), "Monitor") {
		t.Skip("this build has no Monitor pane to watch a run in")
	}
	monitorKey := paneKey(t, first, "Monitor")
	a.typeKeys(monitorKey)
	b.typeKeys(monitorKey)
	// Alice starts a run through her session's engine; both watch it live.
	id, err := e.engineOf("alice").Engine().Start(train.RunSpec{Name: "shared-run", Dataset: train.DatasetRef{Spec: dataset.Spec{Root: e.data}}})
	if err != nil {
		t.Fatal(err)
	}
	a.waitText(id)
	b.waitText(id)
	for epoch := 1; epoch <= 2; epoch++ {
		e.gate <- struct{}{}
		// Both screens follow the epochs as they end.
		want := "2/5"
		if epoch == 1 {
			want = "1/5"
		}
		a.waitText(want)
		b.waitText(want)
	}
	// Bob's key is read-only: his x (stop run) is refused with a message, and the run goes on.
	b.typeKeys("x")
	b.waitText("read-only session")
	if st := e.hub.Runs()[0].State; st != engine.StateRunning {
		t.Fatalf("after bob's x the run is %s", st)
	}
	// Alice's x stops it, for both.
	a.typeKeys("x")
	if _, err := e.hub.Wait(id); err != nil {
		t.Fatal(err)
	}
	a.waitText("stopped")
	b.waitText("stopped")
}

// paneKey returns the digit of a pane in the tab bar.
func paneKey(t testing.TB, screen, title string) string {
	t.Helper()
	m := regexp.MustCompile(`(\d) ` + title).FindStringSubmatch(firstLine(screen))
	if m == nil {
		t.Fatalf("no %s tab in %q", title, firstLine(screen))
	}
	return m[1]
}

func TestMaxSessions(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *testEnv) { c.MaxSessions = 1 })
	a := e.open(e.full, 80, 24, "xterm-256color")
	a.waitScreen("the tab bar", hasTabBar)
	b := e.open(e.ro, 80, 24, "xterm-256color")
	if code := b.waitEnd(); code != 1 {
		t.Errorf("extra session: exit status %d, want 1", code)
	}
	if msg := b.stderrText(); !strings.Contains(msg, "the server is full (1 sessions") {
		t.Errorf("extra session told %q", msg)
	}
	a.typeKeys("q")
	a.waitEnd()
	// A place is free again.
	deadline := time.Now().Add(5 * time.Second)
	for e.srv.Stats().Sessions != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	c := e.open(e.ro, 80, 24, "xterm-256color")
	c.waitScreen("the tab bar", hasTabBar)
}

func TestIdleTimeout(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *testEnv) { c.IdleTimeout = 600 * time.Millisecond })
	cl := e.open(e.full, 80, 24, "xterm-256color")
	cl.waitScreen("the tab bar", hasTabBar)
	// Typing keeps it open.
	for range 4 {
		time.Sleep(250 * time.Millisecond)
		cl.typeKeys("?")
	}
	select {
	case <-cl.done:
		t.Fatal("a session with input was closed as idle")
	default:
	}
	if code := cl.waitEnd(); code != 1 {
		t.Errorf("idle session: exit status %d, want 1", code)
	}
	if msg := cl.stderrText(); !strings.Contains(msg, "without input") {
		t.Errorf("idle session told %q", msg)
	}
}

func TestShutdownTellsSessionsAndStopsRuns(t *testing.T) {
	e := newEnv(t)
	cl := e.open(e.ro, 80, 24, "xterm-256color")
	cl.waitScreen("the tab bar", hasTabBar)
	id, err := e.engineOf("bob").Hub.Start(train.RunSpec{Name: "long"}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	e.gate <- struct{}{}
	for deadline := time.Now().Add(liveness); e.hub.Runs()[0].Last == nil; {
		if time.Now().After(deadline) {
			t.Fatal("the first epoch did not end")
		}
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if code := cl.waitEnd(); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if msg := cl.stderrText(); !strings.Contains(msg, "shutting down") {
		t.Errorf("session told %q", msg)
	}
	res, _ := e.hub.Wait(id)
	if res == nil || res.Epochs != 1 {
		t.Errorf("the running job's result after shutdown: %+v, want its one epoch", res)
	}
	if r := e.hub.Runs()[0]; r.State != engine.StateStopped {
		t.Errorf("run state %s, want stopped", r.State)
	}
	if err := <-e.served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve returned %v", err)
	}
	if c, err := e.dial(gossh.PublicKeys(e.full)); err == nil {
		c.Close()
		t.Error("a connection was accepted after shutdown")
	}
}

func TestAnonymousOnlyOnLoopback(t *testing.T) {
	hub := engine.NewHub(context.Background(), gatedStarter(1, nil))
	dir := t.TempDir()
	for _, addr := range []string{":2222", "0.0.0.0:2222", "[::]:2222", "192.0.2.1:22", "example.com:22"} {
		_, err := New(Config{Listen: addr, HostKey: filepath.Join(dir, "k"), Data: []string{dir}, Hub: hub, AllowAnonymous: true})
		if err == nil || !strings.Contains(err.Error(), "--allow-anonymous refused") {
			t.Errorf("anonymous on %s: %v, want a refusal", addr, err)
		}
	}
	if _, err := New(Config{Listen: "127.0.0.1:2222", HostKey: filepath.Join(dir, "k"), Data: []string{dir}, Hub: hub}); err == nil ||
		!strings.Contains(err.Error(), "--authorized-keys is required") {
		t.Errorf("no keys and no anonymous: %v", err)
	}
	for _, addr := range []string{"127.0.0.1:2222", "[::1]:2222", "localhost:2222"} {
		if !IsLoopback(addr) {
			t.Errorf("%s is loopback", addr)
		}
	}

	// Anonymous users come in read-only; keys keep their rights.
	e := newEnv(t, func(c *Config, _ *testEnv) { c.AllowAnonymous = true })
	c, err := e.dial(gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil }))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := startShell(t, c, 80, 24, "xterm-256color")
	if err != nil {
		t.Fatal(err)
	}
	cl.waitScreen("the tab bar", hasTabBar)
	if u := e.engineOf("anonymous tester"); u.Access != ReadOnly {
		t.Errorf("anonymous access %v, want read-only", u.Access)
	}
	// A stranger's key counts as anonymous too.
	s := e.open(newKey(t), 80, 24, "xterm-256color")
	s.waitScreen("the tab bar", hasTabBar)
	a := e.open(e.full, 80, 24, "xterm-256color")
	a.waitScreen("the tab bar", hasTabBar)
	if u := e.engineOf("alice"); u.Access != Full {
		t.Errorf("alice with anonymous allowed: %v", u.Access)
	}
}

func TestHostKeyCreatedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "host_key")
	k1, created, err := LoadOrCreateHostKey(path)
	if err != nil || !created {
		t.Fatalf("create: %v, created %v", err, created)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if k1.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Errorf("host key type %s", k1.PublicKey().Type())
	}
	k2, created, err := LoadOrCreateHostKey(path)
	if err != nil || created {
		t.Fatalf("load: %v, created %v", err, created)
	}
	if gossh.FingerprintSHA256(k1.PublicKey()) != gossh.FingerprintSHA256(k2.PublicKey()) {
		t.Error("the host key changed between starts")
	}
	os.Chmod(path, 0o644)
	if _, _, err := LoadOrCreateHostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable host key: %v, want a refusal", err)
	}
}

func TestBadKeyFilesNamed(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "keys")
	write(t, bad, "# ok\n\nssh-ed25519 not-base64 someone\n")
	_, err := New(Config{Listen: "127.0.0.1:0", AuthorizedKeys: bad, HostKey: filepath.Join(dir, "k"),
		Data: []string{dir}, Hub: engine.NewHub(context.Background(), nil)})
	if err == nil || !strings.Contains(err.Error(), bad+":3:") {
		t.Errorf("malformed authorized_keys: %v, want the file and line", err)
	}
	_, err = New(Config{Listen: "127.0.0.1:0", AuthorizedKeys: filepath.Join(dir, "none"), HostKey: filepath.Join(dir, "k"),
		Data: []string{dir}, Hub: engine.NewHub(context.Background(), nil)})
	if err == nil || !strings.Contains(err.Error(), "none") {
		t.Errorf("missing authorized_keys: %v", err)
	}
}

func TestSessionsNeedATerminalAndRunNoCommands(t *testing.T) {
	e := newEnv(t)
	c, err := e.dial(gossh.PublicKeys(e.full))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, _ := c.NewSession()
	out, err := sess.CombinedOutput("cat /etc/passwd")
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 1 || !strings.Contains(string(out), "needs a terminal") {
		t.Errorf("a command without a terminal: %v, %q", err, out)
	}
	sess, _ = c.NewSession()
	sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{})
	out, err = sess.CombinedOutput("cat /etc/passwd")
	if !errors.As(err, &ee) || ee.ExitStatus() != 1 || !strings.Contains(string(out), "runs only the workbench") {
		t.Errorf("a command with a terminal: %v, %q", err, out)
	}
}
