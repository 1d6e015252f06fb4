package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hark-audio/hark/engine"
	"github.com/hark-audio/hark/engine/cache"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
)

// cachedExtract returns the engine's feature extraction through the on-disk feature cache
// (engine/cache: $HARK_CACHE, else the user cache directory), or nil, which extracts directly,
// when the cache folder cannot be used; the reason is returned for the caller to show.
var cachedExtract = sync.OnceValues(func() (train.ExtractFunc, error) {
	c, err := cache.Default()
	if err != nil {
		return nil, fmt.Errorf("feature cache unavailable, extracting without it: %w", err)
	}
	return func(ctx context.Context, paths []string, cfg extract.Config, progress func(done, total int)) ([]*extract.Result, []error) {
		return c.Extract(ctx, paths, cfg, 0, progress)
	}, nil
})

// runsStarter starts each run of a hub in its own folder under root (named after the run's ID
// and the time it started), with features from the cache.
func runsStarter(root string, threads int) engine.Starter {
	return func(ctx context.Context, id string, spec train.RunSpec) (*train.Run, error) {
		dir := filepath.Join(root, fmt.Sprintf("%s-%s", id, time.Now().Format("20060102-150405")))
		ext, _ := cachedExtract()
		return train.Start(ctx, id, spec, train.Options{Dir: dir, Threads: threads, Extract: ext})
	}
}

// datasetFingerprint is the content fingerprint of a dataset as it is now (train.Fingerprint),
// for `hark replay --verify` to say "dataset changed" before training anything.
func datasetFingerprint(ctx context.Context, ref train.DatasetRef) (string, error) {
	return train.Fingerprint(ctx, ref)
}

// replayTrain trains a recorded spec again for `hark replay --verify`, in a scratch folder
// that is removed afterwards, and returns its result and every epoch's report.
func replayTrain(ctx context.Context, spec train.RunSpec) (*train.Result, []train.EpochDone, error) {
	dir, err := os.MkdirTemp("", "hark-replay-*")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	ext, _ := cachedExtract()
	run, err := train.Start(ctx, "replay", spec, train.Options{Dir: dir, Extract: ext})
	if err != nil {
		return nil, nil, err
	}
	var epochs []train.EpochDone
	for ev := range run.Events() {
		if e, ok := ev.(train.EpochDone); ok {
			epochs = append(epochs, e)
		}
	}
	res, err := run.Wait()
	return res, epochs, err
}
