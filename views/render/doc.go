// Package render draws feature matrices, waveforms and curves as terminal text with axes.
//
// Heatmap draws a features.Matrix (bins up the side, low frequencies at the bottom, frames
// along the bottom) with Unicode half-blocks, two matrix pixels a cell, coloured through a
// perceptual colour map (viridis, magma, inferno); Waveform draws a signal's min/max envelope
// in braille or half-blocks. Both fit exactly in the width and height they are given, axes,
// title, colour bar and cursor readout included, and give way gracefully when that is small.
//
// The caller chooses the colour profile (github.com/charmbracelet/colorprofile): TrueColor,
// ANSI256 and ANSI draw colour; anything lower draws an ASCII intensity ramp with ASCII axes,
// so that output piped to a file, NO_COLOR and TERM=dumb stay readable. ProfileFromEnv picks
// one from the environment. Each output line closes its own escapes, so drawings can be
// composed with Lip Gloss layouts. The y axis is described by an Axis: LinearFreqAxis,
// MelAxis, ChromaAxis (note names) or IndexAxis (MFCC coefficients).
package render
