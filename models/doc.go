// Package models builds trainable gorgonia networks from a small JSON architecture spec, with
// fused, allocation-free layer ops, losses, optimizers, presets and one-file save and load.
//
// A Spec lists the trunk's layers and the head; Build turns it into a Model whose training and
// inference tape machines are compiled once, for a fixed batch size, and reused for every step.
// A shorter last batch runs on the same machines: every op processes only the leading rows that
// hold samples, so batch statistics and losses never see padding.
//
// Each layer is a custom gorgonia op (see ops.go) whose symbolic derivative is another custom
// op; the work inside is float32 loops split over a fixed number of shards, and matrix products
// go through an AVX-512 or AVX2 micro-kernel where the CPU has one (build tag purego selects the
// portable Go kernel). The shard split does not depend on the number of threads, so the same
// seed gives the same weights and losses bit for bit on any thread count (on one CPU kind).
package models
