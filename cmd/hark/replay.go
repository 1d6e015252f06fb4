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
	"strings"

	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/sessions"
)

// replayRunner re-executes one recorded run for `hark replay --verify`: it trains the spec and
// returns the final result and every epoch's report. It is wired to the engine where the
// engine is built in; tests replace it, and nil means no training engine.
var replayRunner = replayTrain

// replayFingerprint, when set, computes a dataset's content fingerprint as it is now, so that
// --verify says "dataset changed" before re-running anything; nil leaves that check to the
// runner.
var replayFingerprint func(ctx context.Context, ref train.DatasetRef) (string, error)

var errNoEngine = errors.New("training engine not available")

const replaySynopsis = `FILE [--verify [--run ID,...]] [--json] [--ignore-checksum]

Reads a session file (written by 'hark train --session FILE' or the workbench) and prints what
it holds: its datasets, its runs with their model, status and best metric, and a table that
compares the runs.

--verify re-executes every recorded run from its recorded spec and compares, bit for bit, each
epoch's losses, metrics and learning rate and the final metrics, report and confusion matrix.
It first checks that the dataset still has the recorded fingerprint. Exit status: 0 when every
value is identical, 1 with the differences (run, epoch, field, recorded and reproduced values)
when not, or when the file cannot be read.

A file that was edited after Hark wrote it fails its checksum; --ignore-checksum reads it
anyway. Playing a session back in the workbench (curves growing as they did, --speed X) is not
available yet: this command prints the summary.`

func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("replay", replaySynopsis, stdout)
	verify := fs.Bool("verify", false, "re-execute every run and compare its numbers with the recorded ones")
	only := fs.String("run", "", "with --verify: only the runs with these `IDS` (comma-separated)")
	asJSON := fs.Bool("json", false, "print one JSON document on stdout")
	ignore := fs.Bool("ignore-checksum", false, "read a file whose checksum does not match (it was edited)")
	speed := fs.Float64("speed", 0, "playback speed `X` in the workbench (not available yet)")
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
	case *speed < 0:
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
	if *speed > 0 {
		fmt.Fprintln(stderr, "hark replay: playback in the workbench is not available yet; printing the summary")
	}
	if !*verify {
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
