// Package render draws feature matrices, waveforms and curves as terminal text with axes.
package render
