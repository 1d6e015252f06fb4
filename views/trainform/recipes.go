package trainform

import (
	"time"

	"github.com/hark-audio/hark/engine/extract"
	"github.com/hark-audio/hark/engine/train"
	"github.com/hark-audio/hark/models"
)

// Recipe is a one-key preset: the settings that reproduce one of the seed systems
// (../shared/MISSION.md). They mirror the --recipe presets of `hark train`
// (cmd/hark/runspec_flags.go), so that the form and the command line start the same run.
type Recipe struct {
	Name  string
	About string
	Apply func(s *train.RunSpec)
}

// DefaultSpec is the spec the form starts from, the command line's defaults: MFCC features, the
// keyword CNN, Adam 1e-3, batch 32, 30 epochs, seed 1.
func DefaultSpec() train.RunSpec {
	s := train.RunSpec{Version: train.SpecVersion, Seed: 1}
	s.Features.Config = extract.Default("mfcc")
	s.Model.Preset = "kws-cnn"
	s.Train.Epochs, s.Train.Batch, s.Train.LR = 30, 32, 1e-3
	s.Train.Optimizer.Kind = models.OptAdam
	return s
}

// features returns a kind's defaults changed by set.
func features(kind string, set func(c *extract.Config)) extract.Config {
	c := extract.Default(kind)
	if set != nil {
		set(&c)
	}
	return c
}

// Recipes returns the seed systems' recipes, in the order of their keys (F1..F6).
func Recipes() []Recipe {
	return []Recipe{
		{"fsdd", "Free Spoken Digits: official split, log-mel 40 bands at 8 kHz, small CNN", func(s *train.RunSpec) {
			s.Dataset.Spec.Layout, s.Split = "fsdd", "fsdd"
			s.Features.Config = features("mel-db", func(c *extract.Config) { c.SR, c.NFFT, c.Hop, c.NMels = 8000, 256, 80, 40 })
			s.Features.Frames = 100
			s.Model.Preset = "kws-cnn"
			s.Train.Epochs, s.Train.Batch, s.Train.LR = 30, 32, 1e-3
			s.Train.Schedule = train.Schedule{Kind: train.SchedulePlateau, Factor: 0.5, Patience: 3}
			s.Train.EarlyStop.Patience = 8
		}},
		{"kws", "Speech Commands 12 labels: list split, log-mel 80 bands 80-7600 Hz, VGG, noise + shift", func(s *train.RunSpec) {
			s.Dataset.Spec.Layout, s.Split = "speech-commands-12", "lists"
			s.Features.Config = features("mel-db", func(c *extract.Config) {
				c.SR, c.NFFT, c.Win, c.Hop, c.NMels, c.FMin, c.FMax = 16000, 512, 480, 160, 80, 80, 7600
			})
			s.Features.Frames = 101
			s.Model.Preset = "vgg"
			s.Train.Epochs, s.Train.Batch, s.Train.LR = 30, 64, 1e-3
			s.Augment = &train.AugmentSpec{NoiseProb: 0.8, NoiseMax: 0.1, Shift: 0.1}
			s.Train.Schedule = train.Schedule{Kind: train.SchedulePlateau, Factor: 0.5, Patience: 3}
			s.Train.EarlyStop.Patience = 6
		}},
		{"gtzan", "GTZAN genres: six 5 s segments, 13 MFCCs (216 x 13), CNN, Adam 1.5e-4, plateau x0.9/4", func(s *train.RunSpec) {
			s.Dataset.Spec.Layout, s.Split = "folders", "random:0.8,0.1,0.1"
			s.Dataset.Spec.Segments.Length, s.Dataset.Spec.Segments.Count = 5*time.Second, 6
			s.Features.Config = features("mfcc", func(c *extract.Config) { c.SR, c.NMFCC, c.NFFT, c.Hop = 22050, 13, 2048, 512 })
			s.Features.Frames = 216
			s.Model.Preset = "gtzan-cnn"
			s.Train.Epochs, s.Train.Batch, s.Train.LR = 60, 32, 1.5e-4
			s.Train.Schedule = train.Schedule{Kind: train.SchedulePlateau, Factor: 0.9, Patience: 4}
			s.Train.EarlyStop.Patience = 8
		}},
		{"mustard", "MUStARD sarcasm: VGGish examples (96 x 64), VGGish network, stratified 80/20", func(s *train.RunSpec) {
			s.Dataset.Spec.Layout, s.Split = "mustard", "random:0.8,0.2"
			s.Features.Config = extract.Default("vggish")
			s.Model.Preset = "vggish"
			s.Train.Epochs, s.Train.Batch, s.Train.LR = 30, 32, 1e-4
			s.Train.EarlyStop.Patience = 5
		}},
		{"lfw", "LFW verification: pairs split by person, 105 x 105 grayscale, siamese CNN, step LR x0.1/10", func(s *train.RunSpec) {
			s.Dataset.Spec.Layout, s.Split = "pairs", "group:0.8,0.2"
			s.Features.Config = extract.Config{Kind: "image"}
			s.Features.ImageSize, s.Features.Normalize = 105, "global"
			s.Model.Preset = "siamese"
			s.Train.Epochs, s.Train.Batch, s.Train.LR = 30, 32, 1e-4
			s.Train.Optimizer.WeightDecay = 1e-4
			s.Train.Schedule = train.Schedule{Kind: train.ScheduleStep, Step: 10, Gamma: 0.1}
			s.Train.EarlyStop.Patience = 5
		}},
		{"emotion", "music emotion (FMA multitask): log-mel 128, CNN trunk with valence/energy/danceability heads", func(s *train.RunSpec) {
			s.Dataset.Spec.Layout, s.Split = "manifest", "random:0.8,0.2"
			s.Features.Config = features("mel-db", func(c *extract.Config) { c.SR, c.NMels, c.NFFT, c.Hop = 22050, 128, 2048, 512 })
			s.Features.Frames = 1293
			s.Model.Preset = "multitask-cnn"
			s.Train.Epochs, s.Train.Batch, s.Train.LR = 50, 32, 1e-4
			s.Train.EarlyStop.Patience = 5
		}},
	}
}

// RecipeSpec returns the default spec with a recipe applied.
func RecipeSpec(r Recipe) train.RunSpec {
	s := DefaultSpec()
	r.Apply(&s)
	return s
}
