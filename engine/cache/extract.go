package cache

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features/audio"
)

// Each gives the features of every path under cfg to emit, in the order of paths, computing
// them on threads workers (0: every core). Hits are read from disk; misses are decoded, computed
// and stored. emit runs on the calling goroutine with the index into paths and either the result
// or an error naming the file; a file that fails does not stop the others. At most a few results
// per worker wait for emit, so a slow consumer holds little memory however many paths there
// are. Cancelling ctx stops handing out files: the files already handed out are still emitted,
// and Each returns ctx.Err(). An invalid cfg is returned before any work.
func (c *Cache) Each(ctx context.Context, paths []string, cfg extract.Config, threads int, emit func(i int, r *extract.Result, err error)) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = min(threads, max(1, len(paths)))
	cfgKey := cfg.Key()
	ps := c.packs(cfgKey)
	pw := c.newPackWriter(ps)
	window := 4 * threads
	type outcome struct {
		i   int
		r   *extract.Result
		err error
	}
	jobs := make(chan int)
	results := make(chan outcome, window)
	slots := make(chan struct{}, window) // a slot per result handed out and not yet emitted
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{c: c, cfg: cfg, cfgKey: cfgKey, ps: ps, pw: pw}
			for i := range jobs {
				r, err := w.file(paths[i])
				results <- outcome{i, r, err}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range paths {
			if ctx.Err() != nil {
				return // select picks at random among ready cases: check first
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	waiting := make(map[int]outcome, window)
	next := 0
	for o := range results {
		waiting[o.i] = o
		for {
			o, ok := waiting[next]
			if !ok {
				break
			}
			delete(waiting, next)
			emit(o.i, o.r, o.err)
			<-slots
			next++
		}
	}
	pw.finish()
	if c.idx != nil {
		if err := c.idx.flush(); err != nil {
			c.storeFailed(err)
		}
	}
	if next < len(paths) {
		return ctx.Err()
	}
	return nil
}

// Extract is Each collecting the results: results[i] and errs[i] belong to paths[i], exactly
// one of them set. progress, when not nil, is called from the calling goroutine after each file
// with the number done and the total. When cfg is invalid or ctx is cancelled, the files not
// done carry that error.
func (c *Cache) Extract(ctx context.Context, paths []string, cfg extract.Config, threads int, progress func(done, total int)) ([]*extract.Result, []error) {
	results := make([]*extract.Result, len(paths))
	errs := make([]error, len(paths))
	done := 0
	err := c.Each(ctx, paths, cfg, threads, func(i int, r *extract.Result, err error) {
		results[i], errs[i] = r, err
		done++
		if progress != nil {
			progress(done, len(paths))
		}
	})
	if err != nil {
		for i := done; i < len(paths); i++ {
			errs[i] = fmt.Errorf("%s: %w", paths[i], err)
		}
	}
	return results, errs
}

// worker is one extraction goroutine's state: its Extractor is built on its first miss.
type worker struct {
	c      *Cache
	cfg    extract.Config
	cfgKey string
	ps     *packSet    // cfg's packs
	pw     *packWriter // the batch's
	ex     *extract.Extractor
}

// file returns path's features from the cache, or computes and stores them.
func (w *worker) file(path string) (*extract.Result, error) {
	c := w.c
	sum, data, err := c.hash(path, false)
	if err != nil {
		return nil, err
	}
	key := c.key(sum, w.cfgKey)
	r, ok, damaged := c.loadPacked(w.ps, key)
	if ok {
		c.hits.Add(1)
		return r, nil
	}
	if r, b, ok := c.loadLoose(key); ok {
		c.hits.Add(1)
		if damaged { // the entry file supersedes the damaged record as a pack of its own
			c.damaged.Delete(key)
			if c.writeSinglePack(w.ps, key, b) {
				os.Remove(c.entryPath(key))
			}
		} else {
			w.pw.add(key, b, c.entryPath(key))
		}
		return r, nil
	}
	c.misses.Add(1)
	start := time.Now()
	if data == nil {
		// The index knew the hash; read the file now, and key the result by what was read.
		if sum, data, err = c.hash(path, true); err != nil {
			return nil, err
		}
		key = c.key(sum, w.cfgKey)
	}
	if w.ex == nil {
		if w.ex, err = extract.NewExtractor(w.cfg); err != nil {
			return nil, err
		}
	}
	y, sr, err := decodeMono(data, path, w.cfg)
	if err != nil {
		return nil, err
	}
	r, err = w.ex.Samples(y, sr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.Elapsed = time.Since(start)
	b, err := encodeEntry(key, r)
	switch _, replaces := c.damaged.LoadAndDelete(key); {
	case err != nil:
		c.storeFailed(fmt.Errorf("cache: %s: %w", c.entryPath(key), err))
	case replaces:
		c.writeSinglePack(w.ps, key, b) // supersedes the damaged record
	default:
		w.pw.add(key, b, "")
	}
	return r, nil
}

// decodeMono is what extract.Extractor.File does before computing, on bytes already read:
// librosa.load(path, sr=cfg.SR, mono=True), with VGGish always at 16 kHz. Decoding the very
// bytes that were hashed keeps the entry's key and its contents consistent even when the file
// changes meanwhile. TestMatchesExtractFile checks that the two agree.
func decodeMono(data []byte, path string, cfg extract.Config) ([]float32, int, error) {
	sr := cfg.SR
	if cfg.Kind == "vggish" {
		sr = 16000
	}
	clip, err := audio.Decode(bytes.NewReader(data), path)
	if err != nil {
		return nil, 0, err // the decoder's errors name the file
	}
	y, rate := clip.Mono(nil), clip.Info.SampleRate
	if sr > 0 && sr != rate {
		rs, err := audio.NewResampler(rate, sr)
		if err != nil {
			return nil, 0, fmt.Errorf("audio: %s: %w", path, err)
		}
		y, rate = rs.Resample(nil, y), sr
	}
	return y, rate, nil
}
