package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/sessions/playback"
	"github.com/hark-audio/hark/tui"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/render"
	sessview "github.com/hark-audio/hark/views/sessions"
)

// dirList is a repeatable --data flag.
type dirList []string

var _ flag.Value = (*dirList)(nil)

func (d *dirList) String() string { return strings.Join(*d, ",") }

func (d *dirList) Set(v string) error {
	*d = append(*d, v)
	return nil
}

// runWorkbench runs the workbench (the TUI) on the terminal of stdin and stdout: `hark` and
// `hark --data DIR...`.
func runWorkbench(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("", "", stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: hark [--data DIR]... [--session FILE | --no-session] [--no-mouse] [--debug [--log FILE]]\n\n"+
			"Opens the workbench on the datasets given, or on the built-in demo dataset. The session\n"+
			"(datasets opened, runs with their specs and every epoch, stops) is recorded as it goes to\n"+
			"./hark-sessions/<date-time>.json (removed at the end if no run was started), or to --session FILE.\n\nFlags:\n")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	var dirs dirList
	fs.Var(&dirs, "data", "a dataset folder to open (repeatable); none opens the demo dataset")
	debug := fs.Bool("debug", false, "write a debug log (to --log)")
	logPath := fs.String("log", "hark-debug.log", "the debug log file, with --debug")
	runsDir := fs.String("runs", "hark-runs", "the folder each run's checkpoints and model go into")
	sessionPath := fs.String("session", "", "record the session to `FILE` (default ./hark-sessions/<date-time>.json)")
	noSession := fs.Bool("no-session", false, "record no session file")
	noMouse := fs.Bool("no-mouse", false, "leave the mouse to the terminal (its own text selection); by default clicks pick tabs, rows, cells and the Inspector's cursor, and the wheel scrolls")
	pos, code, ok := parseArgs(fs, args, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "hark: unexpected argument %q (datasets go after --data; run 'hark --help' for the commands)\n", pos[0])
		return exitUsage
	}
	if *noSession && *sessionPath != "" {
		fmt.Fprintln(stderr, "hark: --session and --no-session: choose one")
		return exitUsage
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			fmt.Fprintf(stderr, "hark: --data %s: %v\n", d, unwrapPath(err))
			return exitUser
		}
	}
	out, isFile := stdout.(*os.File)
	if !isFile || !term.IsTerminal(out.Fd()) || !term.IsTerminal(os.Stdin.Fd()) {
		fmt.Fprintln(stderr, "hark: the workbench needs a terminal; for scripts use hark inspect, features or train")
		return exitUser
	}

	logger := slog.New(slog.DiscardHandler)
	if *debug {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "hark: --log %s: %v\n", *logPath, unwrapPath(err))
			return exitUser
		}
		defer f.Close()
		logger = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}

	// One profile for the panes' renderers and Bubble Tea's output, so that NO_COLOR and
	// TERM=dumb give plain text everywhere.
	profile := render.ProfileFromEnv(os.Environ(), true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Runs started in the workbench go one after another through one hub, each into its own
	// folder under ./hark-runs (as `hark train` does), with features from the cache.
	hub := engine.NewHub(ctx, runsStarter(*runsDir, 0))
	var rec *benchRecorder
	if !*noSession {
		path := *sessionPath
		if path == "" {
			path = defaultSessionPath(time.Now())
		}
		var err error
		rec, err = startBenchRecorder(ctx, path, hub.Watch, hub.Runs, *sessionPath == "")
		switch {
		case err != nil && *sessionPath != "":
			fmt.Fprintf(stderr, "hark: --session %s: %v\n", path, unwrapPath(err))
			return exitUser
		case err != nil:
			fmt.Fprintf(stderr, "hark: warning: not recording this session: %v\n", err)
		}
	}
	_, opt := workbenchOptions(ctx, hub, rec, dirs)
	opt.Profile, opt.Logger, opt.NoMouse = profile, logger, *noMouse
	m := tui.New(ctx, opt)
	logger.Debug("workbench start", "data", []string(dirs), "profile", profile.String(), "session", opt.Sessions.Current)
	err := runProgram(ctx, m, out, profile, rec)
	// A run still going saves its best model and evaluates it before the workbench exits.
	shutdown, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	hub.Shutdown(shutdown)
	if rec != nil {
		if rerr := rec.close(); rerr != nil {
			fmt.Fprintf(stderr, "hark: warning: recording the session: %v\n", rerr)
		} else if _, serr := os.Stat(rec.Path()); serr == nil {
			fmt.Fprintf(stderr, "hark: session recorded in %s (hark replay %s)\n", rec.Path(), rec.Path())
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "hark: %v\n", err)
		return exitUser
	}
	return exitOK
}

// workbenchOptions wires a workbench to hub: its runs, and the sessions opened from the
// Sessions pane, go through a playback deck over the hub; stops are recorded (rec may be nil).
func workbenchOptions(ctx context.Context, hub *engine.Hub, rec *benchRecorder, dirs []string) (*playback.Deck, tui.Options) {
	live := common.HubEngine(hub, "local")
	stop := live.Stop
	if rec != nil {
		stop = func(id string) error {
			err := hub.Stop(id)
			if err == nil {
				rec.stopped(id)
			}
			return err
		}
	}
	deck := playback.NewDeck(ctx, playback.Live{Start: live.Start, Stop: stop, Runs: live.Runs, History: live.History, Watch: live.Watch})
	opt := tui.Options{Data: dirs, Engine: deckEngine(deck)}
	opt.Sessions = sessview.Config{Dirs: append([]string{sessview.DefaultDir}, dirs...), Deck: deck}
	if rec != nil {
		opt.Sessions.Current = rec.Path()
		if d := filepath.Dir(rec.Path()); d != sessview.DefaultDir && d != "." {
			opt.Sessions.Dirs = append(opt.Sessions.Dirs, d)
		}
	}
	return deck, opt
}

// deckEngine is the run calls of a deck, for the panes.
func deckEngine(d *playback.Deck) common.Engine {
	return common.Engine{Start: d.Start, Stop: d.Stop, Runs: d.Runs, History: d.History, Watch: d.Watch}
}

// runProgram runs the workbench on the terminal out until it quits; rec (may be nil) sees
// every message, to record the datasets opened.
func runProgram(ctx context.Context, m tea.Model, out *os.File, profile colorprofile.Profile, rec *benchRecorder) error {
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithOutput(out), tea.WithColorProfile(profile)}
	if rec != nil {
		opts = append(opts, tea.WithFilter(rec.filter))
	}
	_, err := tea.NewProgram(m, opts...).Run()
	return err
}

// unwrapPath drops the *PathError's repetition of the path the message already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
