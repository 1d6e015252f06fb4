package trainform

import (
	"github.com/hark-audio/hark/engine/train"
)

// Recipe is a one-key preset: the settings that reproduce one of the seed systems
// (../shared/MISSION.md), as engine/train defines them (train.Recipes), so that the form and
// `hark train --recipe` start the same run.
type Recipe struct {
	Name  string
	About string
	Apply func(s *train.RunSpec)
}

// DefaultSpec is the spec the form starts from, the command line's defaults
// (train.DefaultSpec): MFCC features, the keyword CNN, Adam 1e-3, batch 32, 30 epochs, seed 1.
func DefaultSpec() train.RunSpec { return train.DefaultSpec() }

// Recipes returns the seed systems' recipes, in the order of their keys (F1..F6).
func Recipes() []Recipe {
	var out []Recipe
	for _, r := range train.Recipes() {
		out = append(out, Recipe{Name: r.Name, About: r.Summary, Apply: func(s *train.RunSpec) {
			*s = r.Spec
			if a := r.Spec.Augment; a != nil {
				c := *a
				s.Augment = &c
			}
		}})
	}
	return out
}

// RecipeSpec returns the default spec with a recipe applied.
func RecipeSpec(r Recipe) train.RunSpec {
	s := DefaultSpec()
	r.Apply(&s)
	return s
}
