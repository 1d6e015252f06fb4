// Package models builds trainable gorgonia networks from a small JSON architecture spec, with
// fused, allocation-free layer ops, losses, optimizers, presets, transfer learning and one-file
// save and load.
//
// A Spec lists the trunk's layers and one head or several named heads (multitask: losses
// summed), optionally as a siamese pair (one tower applied to both members, |f1 - f2| into the
// heads). Build turns it into a Model whose training and inference tape machines are compiled
// once, for a fixed batch size, and reused for every step. A shorter last batch runs on the
// same machines: every op processes only the leading rows that hold samples, so batch
// statistics and losses never see padding. Recurrent layers (LSTM, bidirectional, stacked)
// read zero-padded sequences with per-sample lengths (Batch.Lengths, or inferred from trailing
// all-zero steps); padded steps never reach a result.
//
// Each layer is a custom gorgonia op (see ops.go) whose derivative is another custom op; the
// backward graph is built by builder.backprop, which sums the gradients of values with several
// consumers (a shared trunk, shared tower weights) with its own ops. A whole LSTM sequence is
// one op forward and one backward, so a 60-step BiLSTM compiles in milliseconds. The work
// inside the ops is float32 loops split over a fixed number of shards; matrix products go
// through AVX-512 or AVX2 micro-kernels (internal/gemm; stride-1 convolutions as implicit GEMM
// without im2col), and gate activations, max pooling and batch norm through AVX2 kernels
// (internal/vecf), all chosen at run time, with portable Go kept for other CPUs (build tag
// purego selects it everywhere). The shard split does not depend on the number of threads, so
// the same seed gives the same weights and losses bit for bit on any thread count (on one CPU
// kind).
package models
