// Package monitor is the workbench's Monitor pane: live loss and metric curves of a training
// run (raw and smoothed), its progress, throughput, ETA and early-stopping state.
package monitor
