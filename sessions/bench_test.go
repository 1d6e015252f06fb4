package sessions

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hark-audio/hark/engine/train"
)

// bigSession builds a finished session of runs x epochs in memory.
func bigSession(runs, epochs int) Session {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s := Session{Format: Format, Version: FormatVersion, Hark: harkVersion(), Created: now, Updated: now,
		Datasets: []DatasetRef{{Path: "/data/demo"}}, Steps: []Step{}}
	for r := range runs {
		spec := testSpec(uint64(r), 32)
		spec.Train.Epochs = epochs
		id := fmt.Sprintf("r%d", r)
		events, res, _ := fakeTrain(id, spec)
		run := &Run{ID: id, Spec: spec, Status: StatusFinished, Result: res}
		for _, ev := range events {
			if _, ok := ev.(train.BatchDone); !ok {
				run.Events = append(run.Events, ev)
			}
		}
		s.Steps = append(s.Steps, Step{Kind: StepRun, Time: now, Run: run})
	}
	return s
}

// BenchmarkFlush measures one atomic rewrite of a session file (what the recorder does after
// each epoch) for sessions of growing size: runs x epochs. Compare the ns/op with an epoch's
// duration (seconds): even a 12-run x 200-epoch grid costs milliseconds.
//
//	go test ./sessions -run '^$' -bench Flush -benchtime 20x
func BenchmarkFlush(b *testing.B) {
	for _, size := range []struct{ runs, epochs int }{{1, 10}, {1, 100}, {12, 50}, {12, 200}} {
		b.Run(fmt.Sprintf("runs=%d/epochs=%d", size.runs, size.epochs), func(b *testing.B) {
			rec := &Recorder{path: filepath.Join(b.TempDir(), "s.json"), now: time.Now, s: bigSession(size.runs, size.epochs)}
			if err := rec.Flush(); err != nil {
				b.Fatal(err)
			}
			_, n := rec.Stats()
			b.SetBytes(int64(n))
			b.ReportMetric(float64(n)/1024, "KiB")
			b.ResetTimer()
			for range b.N {
				if err := rec.Flush(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParse measures reading a 12-run x 50-epoch session.
func BenchmarkParse(b *testing.B) {
	s := bigSession(12, 50)
	data, err := Marshal(&s)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		if _, err := Parse(data, "s.json"); err != nil {
			b.Fatal(err)
		}
	}
}
