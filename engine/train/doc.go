// Package train runs training jobs: a RunSpec (plain data) in, a stream of typed events and a
// Result out. It turns a dataset catalog into feature tensors, builds the model, runs the
// training loop with schedules, early stopping and checkpoints, and evaluates the result with
// engine/eval. Every random choice is drawn from RunSpec.Seed.
package train
