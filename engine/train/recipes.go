package train

import (
	"time"

	"github.com/hark-audio/hark/engine/dataset"
	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/models"
)

// Recipe is the settings that reproduce one of the seed systems (../shared/MISSION.md): a
// RunSpec without its dataset folder, which the caller sets (Spec.Dataset.Spec.Root). The
// command line's --recipe and the workbench's training form both start from these.
type Recipe struct {
	Name    string
	Summary string
	Spec    RunSpec
}

// DefaultSpec is the spec settings start from when no recipe is chosen: MFCC features, the
// keyword CNN, Adam 1e-3, batch 32, 30 epochs, seed 1.
func DefaultSpec() RunSpec {
	s := RunSpec{Version: SpecVersion, Seed: 1}
	s.Features.Config = extract.Default("mfcc")
	s.Model.Preset = "kws-cnn"
	s.Train.Epochs, s.Train.Batch, s.Train.LR = defaultEpochs, defaultBatch, defaultLR
	s.Train.Optimizer.Kind = models.OptAdam
	return s
}

// Recipes returns the seed systems' recipes: fsdd, kws, gtzan, mustard, lfw, emotion.
func Recipes() []Recipe {
	recipe := func(name, summary string, set func(s *RunSpec)) Recipe {
		s := DefaultSpec()
		s.Name = name
		set(&s)
		return Recipe{Name: name, Summary: summary, Spec: s}
	}
	features := func(kind string, set func(c *extract.Config)) extract.Config {
		c := extract.Default(kind)
		set(&c)
		return c
	}
	plateau := func(factor float64, patience int) Schedule {
		return Schedule{Kind: SchedulePlateau, Factor: factor, Patience: patience}
	}
	return []Recipe{
		recipe("fsdd", "Free Spoken Digit Dataset: the official split (takes 0-4 test), log-mel 40 bands at 8 kHz, a small CNN", func(s *RunSpec) {
			s.Dataset.Spec.Layout, s.Split = dataset.LayoutFSDD, dataset.SplitFSDD
			s.Features.Config = features("mel-db", func(c *extract.Config) { c.SR, c.NFFT, c.Hop, c.NMels = 8000, 256, 80, 40 })
			s.Features.Frames = 100
			s.Train.Schedule, s.Train.EarlyStop.Patience = plateau(0.5, 3), 8
		}),
		recipe("kws", "Speech Commands 12 labels: list split, log-mel 80 bands 80-7600 Hz, VGG, noise + shift", func(s *RunSpec) {
			s.Dataset.Spec.Layout, s.Split = dataset.LayoutSpeechCommands12, dataset.SplitLists
			s.Features.Config = features("mel-db", func(c *extract.Config) {
				c.SR, c.NFFT, c.Win, c.Hop, c.NMels, c.FMin, c.FMax = 16000, 512, 480, 160, 80, 80, 7600
			})
			s.Features.Frames = 101
			s.Model.Preset = "vgg"
			s.Train.Batch = 64
			s.Augment = &AugmentSpec{NoiseProb: 0.8, NoiseMax: 0.1, Shift: 0.1}
			s.Train.Schedule, s.Train.EarlyStop.Patience = plateau(0.5, 3), 6
		}),
		recipe("gtzan", "GTZAN genres: six 5 s segments per clip, 13 MFCCs (216 x 13), the seed's CNN, Adam 1.5e-4, plateau x0.9/4, early stop 8", func(s *RunSpec) {
			s.Dataset.Spec.Layout, s.Split = dataset.LayoutFolders, "random:0.8,0.1,0.1"
			s.Dataset.Spec.Segments = dataset.SegmentSpec{Length: 5 * time.Second, Count: 6}
			s.Features.Config = features("mfcc", func(c *extract.Config) { c.SR, c.NMFCC, c.NFFT, c.Hop = 22050, 13, 2048, 512 })
			s.Features.Frames = 216
			s.Model.Preset = "gtzan-cnn"
			s.Train.Epochs, s.Train.LR = 60, 1.5e-4
			s.Train.Schedule, s.Train.EarlyStop.Patience = plateau(0.9, 4), 8
		}),
		recipe("mustard", "MUStARD sarcasm: VGGish's front end (16 kHz, 64-band log-mel, 25 ms / 10 ms, 0.96 s examples of 96 x 64), the VGGish network, stratified 80/20, clip votes", func(s *RunSpec) {
			s.Dataset.Spec.Layout, s.Split = dataset.LayoutMUStARD, "random:0.8,0.2"
			s.Dataset.Spec.Segments = dataset.SegmentSpec{Length: 960 * time.Millisecond}
			s.Features.Config = features("mel-db", func(c *extract.Config) {
				c.SR, c.NFFT, c.Win, c.Hop, c.NMels, c.FMin, c.FMax = 16000, 512, 400, 160, 64, 125, 7500
			})
			s.Features.Frames = 96
			s.Model.Preset = "vggish"
			s.Train.LR, s.Train.EarlyStop.Patience = 1e-4, 5
		}),
		recipe("lfw", "LFW face verification: DevTrain pairs split 80/20 by person, 105 x 105 grayscale, siamese CNN, step LR x0.1/10", func(s *RunSpec) {
			s.Dataset.Spec.Layout, s.Split = dataset.LayoutPairs, "group:0.8,0.2"
			s.Features = FeatureSpec{Config: extract.Config{Kind: KindImage}, ImageSize: defaultImageSize, Normalize: NormalizeGlobal}
			s.Model.Preset = "siamese"
			s.Train.LR, s.Train.Optimizer.WeightDecay = 1e-4, 1e-4
			s.Train.Schedule = Schedule{Kind: ScheduleStep, Step: 10, Gamma: 0.1}
			s.Train.EarlyStop.Patience = 5
		}),
		recipe("emotion", "music emotion (FMA multitask): log-mel 128 bands, a CNN trunk with valence/energy/danceability heads", func(s *RunSpec) {
			s.Dataset.Spec.Layout, s.Split = dataset.LayoutManifest, "random:0.8,0.2"
			s.Features.Config = features("mel-db", func(c *extract.Config) { c.SR, c.NMels, c.NFFT, c.Hop = 22050, 128, 2048, 512 })
			s.Features.Frames = 1293
			s.Model.Preset = "multitask-cnn"
			s.Train.Epochs, s.Train.LR, s.Train.EarlyStop.Patience = 50, 1e-4, 5
		}),
	}
}

// FindRecipe returns the recipe of that name.
func FindRecipe(name string) (Recipe, bool) {
	for _, r := range Recipes() {
		if r.Name == name {
			return r, true
		}
	}
	return Recipe{}, false
}
