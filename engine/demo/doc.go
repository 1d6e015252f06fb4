// Package demo synthesises Hark's built-in demo dataset: short labelled clips whose classes differ
// in rhythm, harmony and timbre, with regression targets and groups, from a seed.
package demo
