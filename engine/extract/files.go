package extract

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// audioExts are the extensions AudioFiles collects (case-insensitive).
var audioExts = map[string]bool{".wav": true, ".wave": true, ".au": true, ".snd": true,
	".flac": true, ".ogg": true, ".oga": true, ".mp3": true}

// AudioFiles lists the audio files under root, sorted, following no symlinked folders.
func AudioFiles(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if !d.IsDir() && audioExts[strings.ToLower(filepath.Ext(p))] {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// FileResult is one file's outcome in Files.
type FileResult struct {
	Path   string
	Result *Result
	Err    error // names the file and the problem
}

// Files computes cfg for every path on threads workers (0: all cores), each with its own
// Extractor, and calls emit from the calling goroutine in the order of paths, so output is
// deterministic whatever the scheduling. A file that fails is reported through emit and the
// rest go on. Cancelling ctx stops handing out files; Files then returns ctx.Err().
func Files(ctx context.Context, paths []string, cfg Config, threads int, emit func(FileResult)) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = min(threads, max(1, len(paths)))
	type job struct {
		i    int
		path string
	}
	jobs := make(chan job)
	done := make([]chan FileResult, len(paths))
	for i := range done {
		done[i] = make(chan FileResult, 1)
	}
	var wg sync.WaitGroup
	for w := 0; w < threads; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ex, err := NewExtractor(cfg)
			for j := range jobs {
				if err != nil {
					done[j.i] <- FileResult{Path: j.path, Err: err}
					continue
				}
				r, ferr := ex.File(j.path)
				done[j.i] <- FileResult{Path: j.path, Result: r, Err: ferr}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i, p := range paths {
			select {
			case jobs <- job{i, p}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var err error
	for i := range paths {
		select {
		case r := <-done[i]:
			emit(r)
			continue
		case <-ctx.Done():
			err = ctx.Err()
		}
		break
	}
	wg.Wait()
	return err
}
