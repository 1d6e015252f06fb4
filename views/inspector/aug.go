package inspector

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hark-audio/hark/engine/augment"
	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/features"
	"github.com/hark-audio/hark/views/common"
)

// augConfig is the augmentation the inspector previews: a time shift of up to 0.1 s, a gain of
// up to 6 dB either way, two time masks of up to 10 frames and two frequency masks of up to 8
// bins, and background noise (always, at up to 0.1) when the catalog has noise files (Speech
// Commands' _background_noise_).
func augConfig(cat *dataset.Catalog) augment.Config {
	cfg := augment.Config{Shift: 0.1, GainDB: 6, TimeMasks: 2, TimeMaskWidth: 10, FreqMasks: 2, FreqMaskWidth: 8}
	if cat != nil && len(cat.Noise) > 0 {
		cfg.NoiseProb, cfg.NoiseMax = 1, 0.1
	}
	return cfg
}

// noisePaths are the catalog's noise files.
func noisePaths(cat *dataset.Catalog) []string {
	if cat == nil {
		return nil
	}
	out := make([]string, len(cat.Noise))
	for i, n := range cat.Noise {
		out[i] = n.Path
	}
	return out
}

// augKey names one preview: the clip, the feature configuration and the seed.
func augKey(path string, cfg extract.Config, seed uint64) string {
	return "aug\x00" + cacheKey(path, cfg) + "\x00" + strconv.FormatUint(seed, 10)
}

// previewCmd is the command that computes one clip before and after augmentation; an stft
// comes back in decibels, as the plain view draws it.
func previewCmd(c *common.Common, cat *dataset.Catalog, path string, cfg extract.Config, seed uint64, k string) tea.Cmd {
	augFn, log := c.Engine.Augment, c.Logger
	aug, noise := augConfig(cat), noisePaths(cat)
	return func() tea.Msg {
		start := time.Now()
		var cmp *augment.Comparison
		err := fmt.Errorf("%s: this engine cannot augment", path)
		if augFn != nil {
			cmp, err = augFn(path, cfg, aug, seed, noise)
		}
		switch {
		case err != nil:
		case cmp == nil || cmp.Before == nil || cmp.After == nil:
			err = fmt.Errorf("%s: the engine returned no augmentation preview", path)
		case cfg.Kind != "beats" && (cmp.Before.Matrix == nil || cmp.After.Matrix == nil):
			err = fmt.Errorf("%s: the engine returned no %s", path, cfg.Kind)
		case cfg.Kind == "stft":
			for _, r := range []*extract.Result{cmp.Before, cmp.After} {
				r.Matrix = features.PowerToDB(nil, r.Matrix, features.DBOptions{RefMax: true, TopDB: 80})
			}
		}
		log.Debug("augmentation previewed", "path", path, "config", cfg.Key(), "seed", seed, "took", time.Since(start), "err", err)
		return computedMsg{key: k, out: outcome{cmp: cmp, err: err}}
	}
}

// describeAug says in one line what the preview drew: the wave draw (with the noise file's
// name) and the masks.
func describeAug(cmp *augment.Comparison, cat *dataset.Catalog) string {
	text := cmp.Wave.Describe(cmp.SR)
	if n := cmp.Wave.Noise; n >= 0 && cat != nil && n < len(cat.Noise) {
		text += " (" + filepath.Base(cat.Noise[n].Path) + ")"
	}
	spans := func(sp []augment.Span) string {
		parts := make([]string, 0, len(sp))
		for _, s := range sp {
			parts = append(parts, fmt.Sprintf("%d+%d", s.Start, s.Width))
		}
		return strings.Join(parts, ",")
	}
	for _, m := range cmp.Masks {
		if len(m.Time) > 0 {
			text += "; time masks " + spans(m.Time)
		}
		if len(m.Freq) > 0 {
			text += "; freq masks " + spans(m.Freq)
		}
		break // VGGish has one per example; the first says enough
	}
	return text
}
