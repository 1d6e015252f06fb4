// Package engine is Hark's in-process, headless engine: datasets, feature extraction, training
// runs and evaluation, driven by the CLI and the workbench alike. It never imports Bubble Tea.
package engine

// Version is the Hark release this binary belongs to. Session files and cache keys record it.
const Version = "0.1.0-dev"
