package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/demo"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/tui/serve"
)

// shutdownGrace is how long a SIGTERM waits for the running job to save and the sessions to
// close; a second signal cuts it short.
const shutdownGrace = 60 * time.Second

// runServe serves the workbench over SSH: `hark serve --listen ADDR --authorized-keys FILE
// --host-key FILE [--data DIR]...`.
func runServe(args []string, stdout, stderr io.Writer) int {
	const synopsis = "--listen ADDR --authorized-keys FILE --host-key FILE [--data DIR]... [--read-only-keys FILE]\n" +
		"                  [--allow-anonymous] [--max-sessions N] [--idle-timeout D] [--runs DIR]"
	fs := newFlagSet("serve", synopsis, stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: hark serve %s\n\n"+
			"Serves the workbench over SSH: every connection gets its own workbench over one shared\n"+
			"engine, so a run started by one user is live for all. Users connect with `ssh -p PORT HOST`.\n"+
			"Only the keys in --authorized-keys (and --read-only-keys, which may watch but not start or\n"+
			"stop runs) get in, and they can open nothing outside the --data folders.\n\nFlags:\n", synopsis)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	listen := fs.String("listen", "127.0.0.1:2222", "the address to listen on; \":2222\" for every interface")
	authKeys := fs.String("authorized-keys", "", "OpenSSH authorized_keys `FILE` of the keys that may do everything (re-read when it changes)")
	roKeys := fs.String("read-only-keys", "", "authorized_keys `FILE` of keys that may watch and inspect, not start or stop runs")
	hostKey := fs.String("host-key", "", "the server's private key `FILE`, created (ed25519, mode 0600) when absent")
	var dirs dirList
	fs.Var(&dirs, "data", "a dataset folder to serve (repeatable); remote users can open nothing outside these; none serves the demo dataset")
	anon := fs.Bool("allow-anonymous", false, "let clients without an authorised key in, read-only; only with a loopback --listen")
	maxSessions := fs.Int("max-sessions", serve.DefaultMaxSessions, "the most sessions at once; more are told so and closed")
	noMouse := fs.Bool("no-mouse", false, "leave the mouse to the clients' terminals (their own text selection); by default clicks pick tabs, rows, cells and the Inspector's cursor, and the wheel scrolls")
	idle := fs.Duration("idle-timeout", time.Hour, "close a session after this long without input (0: never)")
	runsDir := fs.String("runs", "hark-runs", "the `DIR` where runs write their models and checkpoints, and the server its session file")
	pos, code, ok := parseArgs(fs, args, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "hark serve: unexpected argument %q (datasets go after --data)\n", pos[0])
		return exitUsage
	}
	switch {
	case *hostKey == "":
		fmt.Fprintln(stderr, "hark serve: --host-key FILE is required (the server's key, created on the first start and kept)")
		return exitUsage
	case *authKeys == "" && !*anon:
		fmt.Fprintln(stderr, "hark serve: --authorized-keys FILE is required (an OpenSSH authorized_keys file)")
		return exitUsage
	case *maxSessions < 1:
		fmt.Fprintf(stderr, "hark serve: --max-sessions %d: must be at least 1\n", *maxSessions)
		return exitUser
	case *idle < 0:
		fmt.Fprintf(stderr, "hark serve: --idle-timeout %v: must not be negative\n", *idle)
		return exitUser
	}
	cfg := serve.Config{
		Listen: *listen, AuthorizedKeys: *authKeys, ReadOnlyKeys: *roKeys, HostKey: *hostKey,
		Data: dirs, AllowAnonymous: *anon, MaxSessions: *maxSessions, IdleTimeout: *idle, NoMouse: *noMouse,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	// Fail on bad flags before the slower work below.
	if *anon && !serve.IsLoopback(*listen) {
		fmt.Fprintf(stderr, "hark serve: --allow-anonymous refused: --listen %s is reachable from other machines; anonymous access is only for a loopback address (127.0.0.1, [::1], localhost)\n", *listen)
		return exitUser
	}
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil {
			fmt.Fprintf(stderr, "hark serve: --data %s: %v\n", d, unwrapPath(err))
			return exitUser
		} else if !fi.IsDir() {
			fmt.Fprintf(stderr, "hark serve: --data %s: not a folder\n", d)
			return exitUser
		}
	}
	if len(dirs) == 0 {
		dir, err := demo.Cached(demo.Options{})
		if err != nil {
			fmt.Fprintf(stderr, "hark serve: the demo dataset: %v\n", err)
			return exitUser
		}
		cfg.DemoDir = dir
	}
	if err := os.MkdirAll(*runsDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "hark serve: --runs %s: %v\n", *runsDir, unwrapPath(err))
		return exitUser
	}

	// One engine for every session: runs queue one after another and every watcher sees them.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hub := engine.NewHub(ctx, func(ctx context.Context, id string, spec train.RunSpec) (*train.Run, error) {
		name := spec.Name
		if name == "" {
			name = "run"
		}
		dir := filepath.Join(*runsDir, safeName(name)+"-"+id+"-"+time.Now().Format("20060102-150405"))
		return train.Start(ctx, id, spec, train.Options{Dir: dir})
	})
	cfg.Hub = hub
	srv, err := serve.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "hark serve: %v\n", err)
		return exitUser
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "hark serve: --listen %s: %v\n", *listen, err)
		return exitUser
	}

	// Every run, whoever started it, goes into the server's session file.
	sessionPath := filepath.Join(*runsDir, "serve-"+time.Now().Format("20060102-150405")+".json")
	rec, err := newSessionRecorder(sessionPath, append([]string{"hark", "serve"}, args...), func(err error) {
		fmt.Fprintf(stderr, "hark serve: session %s: %v (the runs go on)\n", sessionPath, err)
	})
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "hark serve: session %s: %v\n", sessionPath, err)
		return exitUser
	}
	events, endWatch := hub.Watch(ctx)
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		for ev := range events {
			rec.record(ev)
		}
	}()

	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	if srv.Created {
		fmt.Fprintf(stderr, "hark serve: created the host key %s\n", *hostKey)
	}
	fmt.Fprintf(stderr, "hark serve: listening on %s, host key %s\n", ln.Addr(), srv.HostKeyFingerprint())
	for _, r := range srv.Roots() {
		fmt.Fprintf(stderr, "hark serve: serving %s\n", r)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	status := exitOK
	select {
	case err := <-served:
		// The listener failed (address in use, no permission).
		fmt.Fprintf(stderr, "hark serve: %v\n", err)
		status = exitUser
	case s := <-sig:
		fmt.Fprintf(stderr, "hark serve: %v: closing the sessions and letting the running job save (again to stop at once)\n", s)
	}
	sctx, scancel := context.WithTimeout(context.Background(), shutdownGrace)
	go func() {
		select {
		case <-sig:
			scancel()
		case <-sctx.Done():
		}
	}()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, serve.ErrServerClosed) {
		fmt.Fprintf(stderr, "hark serve: shutdown: %v\n", err)
		status = exitUser
	}
	scancel()
	endWatch()
	<-recorded
	if err := rec.close(); err != nil {
		fmt.Fprintf(stderr, "hark serve: session %s: %v\n", sessionPath, err)
		status = exitUser
	}
	fmt.Fprintf(stderr, "hark serve: stopped; runs recorded in %s\n", sessionPath)
	return status
}
