package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/x/term"

	"github.com/hark-audio/hark/sessions"
	"github.com/hark-audio/hark/sessions/playback"
	"github.com/hark-audio/hark/tui"
	"github.com/hark-audio/hark/views/render"
	sessview "github.com/hark-audio/hark/views/sessions"
)

// replayRunner re-executes one recorded run for `hark replay --verify`: it trains the spec and
// returns the final result and every epoch's report. It is wired to the engine where the
// engine is built in; tests replace it, and nil means no training engine.
var replayRunner = replayTrain

// replayFingerprint, when set, computes a dataset's content fingerprint as it is now, so that
// --verify says "dataset changed" before re-running anything; nil leaves that check to the
// runner.
var replayFingerprint = datasetFingerprint

var errNoEngine = errors.New("training engine not available")

const replaySynopsis = `FILE [--speed X] [--verify [--run ID,...]] [--json] [--ignore-checksum]

Plays a session file (written by the workbench or 'hark train --session FILE') back in the
workbench: the curves grow as they did, X times faster (default 10, and a pause between two
events never lasts more than 2 s); < and > step an epoch, P (or space in the Monitor) pauses,
( and ) go to the start and the end, F and S change the speed. At the end the Results and
Errors panes show the final state. When stdout is not a terminal, or with --json, it prints
what the file holds instead: its datasets, its runs with their model, status and best metric,
and a table that compares the runs.

--verify re-executes every recorded run from its recorded spec and compares, bit for bit, each
epoch's losses, metrics and learning rate and the final metrics, report and confusion matrix.
It first checks that the dataset still has the recorded fingerprint. Exit status: 0 when every
value is identical, 1 with the differences (run, epoch, field, recorded and reproduced values)
when not, or when the file cannot be read.

A file that was edited after Hark wrote it fails its checksum; --ignore-checksum reads it
anyway.`

func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("replay", replaySynopsis, stdout)
	verify := fs.Bool("verify", false, "re-execute every run and compare its numbers with the recorded ones")
	only := fs.String("run", "", "with --verify: only the runs with these `IDS` (comma-separated)")
	asJSON := fs.Bool("json", false, "print one JSON document on stdout")
	ignore := fs.Bool("ignore-checksum", false, "read a file whose checksum does not match (it was edited)")
	noMouse := fs.Bool("no-mouse", false, "in the workbench, leave the mouse to the terminal (its own text selection)")
	speed := fs.Float64("speed", playback.DefaultSpeed, "play back `X` times faster than recorded, in the workbench")
	pos, code, ok := parseArgs(fs, args, stderr)
	if !ok {
		return code
	}
	switch {
	case len(pos) == 0:
		fmt.Fprintln(stderr, "hark replay: give the session FILE (run 'hark replay --help')")
		return exitUsage
	case len(pos) > 1:
		fmt.Fprintf(stderr, "hark replay: one session file at a time, got %d (%s)\n", len(pos), strings.Join(pos, " "))
		return exitUsage
	case *only != "" && !*verify:
		fmt.Fprintln(stderr, "hark replay: --run selects runs to verify: use it with --verify")
		return exitUsage
	case *speed <= 0:
		fmt.Fprintf(stderr, "hark replay: --speed %g: must be positive\n", *speed)
		return exitUser
	}
	s, err := sessions.ReadWith(pos[0], sessions.ParseOptions{IgnoreChecksum: *ignore})
	if err != nil {
		fmt.Fprintf(stderr, "hark replay: %v\n", err)
		return exitUser
	}
	if s.Integrity != "ok" {
		fmt.Fprintf(stderr, "hark replay: warning: %s: checksum %s; the file was edited after Hark wrote it\n", pos[0], s.Integrity)
	}
	if !*verify {
		if out, ok := terminalOut(stdout); ok && !*asJSON {
			return replayPlayback(s, *speed, *noMouse, out, stderr)
		}
		return replaySummary(s, *asJSON, stdout, stderr)
	}
	return replayVerify(s, *only, *asJSON, stdout, stderr)
}

func replaySummary(s *sessions.Session, asJSON bool, stdout, stderr io.Writer) int {
	sum := s.Summary()
	table := sessions.Compare(s)
	if asJSON {
		sj, err := json.Marshal(sum)
		if err != nil {
			fmt.Fprintf(stderr, "hark replay: %v\n", err)
			return exitUser
		}
		tj, err := table.JSON()
		if err != nil {
			fmt.Fprintf(stderr, "hark replay: %v\n", err)
			return exitUser
		}
		var out bytes.Buffer
		if err := json.Indent(&out, []byte(fmt.Sprintf(`{"summary":%s,"table":%s}`, sj, tj)), "", "  "); err != nil {
			fmt.Fprintf(stderr, "hark replay: %v\n", err)
			return exitUser
		}
		out.WriteByte('\n')
		stdout.Write(out.Bytes())
		return exitOK
	}
	io.WriteString(stdout, sum.String())
	if len(table.Rows) > 0 {
		fmt.Fprintln(stdout)
		io.WriteString(stdout, table.String())
	}
	for _, r := range s.Runs() {
		if r.Interrupted() {
			ep, ckpt := r.ResumePoint()
			fmt.Fprintf(stdout, "run %s was interrupted after epoch %d", r.ID, ep)
			if ckpt != "" {
				fmt.Fprintf(stdout, " (checkpoint %s)", ckpt)
			}
			fmt.Fprintln(stdout)
		}
	}
	return exitOK
}

func replayVerify(s *sessions.Session, only string, asJSON bool, stdout, stderr io.Writer) int {
	runner := replayRunner
	if runner == nil {
		fmt.Fprintf(stderr, "hark replay: --verify: %v in this build\n", errNoEngine)
		return exitUser
	}
	opt := sessions.VerifyOptions{Fingerprint: replayFingerprint}
	if only != "" {
		for _, id := range strings.Split(only, ",") {
			if s.Run(id) == nil {
				fmt.Fprintf(stderr, "hark replay: --run %s: the session has no such run\n", id)
				return exitUser
			}
			opt.Runs = append(opt.Runs, id)
		}
	}
	opt.Progress = func(i, n int, r *sessions.Run) {
		fmt.Fprintf(stderr, "re-running %d/%d %q (%s)...\n", i+1, n, r.Label(), r.ID)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := sessions.VerifyWith(ctx, s, runner, opt)
	if err != nil {
		fmt.Fprintf(stderr, "hark replay: %v\n", err)
		return exitUser
	}
	if asJSON {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "hark replay: %v\n", err)
			return exitUser
		}
		stdout.Write(append(b, '\n'))
	} else {
		io.WriteString(stdout, rep.String())
	}
	if !rep.Identical {
		return exitUser
	}
	return exitOK
}

// terminalOut returns stdout as a terminal's file when both it and stdin are terminals.
func terminalOut(stdout io.Writer) (*os.File, bool) {
	out, ok := stdout.(*os.File)
	if !ok || !term.IsTerminal(out.Fd()) || !term.IsTerminal(os.Stdin.Fd()) {
		return nil, false
	}
	return out, true
}

// replayPlayback opens the workbench on a playback of s, with the session's datasets that
// still exist open (so that the Inspector and Errors panes find the clips).
func replayPlayback(s *sessions.Session, speed float64, noMouse bool, out *os.File, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deck := playback.NewDeck(ctx, playback.Live{})
	if _, _, err := deck.Add(s, playback.Options{Speed: speed}); err != nil {
		fmt.Fprintf(stderr, "hark replay: %v\n", err)
		return exitUser
	}
	var data []string
	for _, d := range s.Datasets {
		if _, err := os.Stat(d.Path); err == nil {
			data = append(data, d.Path)
		}
	}
	profile := render.ProfileFromEnv(os.Environ(), true)
	opt := tui.Options{Data: data, Profile: profile, Engine: deckEngine(deck), NoMouse: noMouse}
	opt.Sessions = sessview.Config{Dirs: []string{sessview.DefaultDir, filepath.Dir(s.File)}, Deck: deck, Speed: speed}
	if err := runProgram(ctx, tui.New(ctx, opt), out, profile, nil); err != nil {
		fmt.Fprintf(stderr, "hark replay: %v\n", err)
		return exitUser
	}
	return exitOK
}
