package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/tui"
	"github.com/hark-audio/hark/views/common"
	"github.com/hark-audio/hark/views/render"
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
		fmt.Fprintf(stdout, "Usage: hark [--data DIR]... [--debug [--log FILE]]\n\n"+
			"Opens the workbench on the datasets given, or on the built-in demo dataset.\n\nFlags:\n")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	var dirs dirList
	fs.Var(&dirs, "data", "a dataset folder to open (repeatable); none opens the demo dataset")
	debug := fs.Bool("debug", false, "write a debug log (to --log)")
	logPath := fs.String("log", "hark-debug.log", "the debug log file, with --debug")
	runsDir := fs.String("runs", "hark-runs", "the folder each run's checkpoints and model go into")
	pos, code, ok := parseArgs(fs, args, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "hark: unexpected argument %q (datasets go after --data; run 'hark --help' for the commands)\n", pos[0])
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
	eng := common.HubEngine(hub, "local")
	m := tui.New(ctx, tui.Options{Data: dirs, Profile: profile, Logger: logger, Engine: eng})
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithOutput(out), tea.WithColorProfile(profile))
	logger.Debug("workbench start", "data", []string(dirs), "profile", profile.String())
	_, err := p.Run()
	// A run still going saves its best model and evaluates it before the workbench exits.
	shutdown, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	hub.Shutdown(shutdown)
	if err != nil {
		fmt.Fprintf(stderr, "hark: %v\n", err)
		return exitUser
	}
	return exitOK
}

// unwrapPath drops the *PathError's repetition of the path the message already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
