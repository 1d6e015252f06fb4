// Package inspector is the Inspector pane: one clip drawn as a waveform, spectrogram, mel
// spectrogram, MFCC or chromagram, plain or beat-synchronous, with a cursor that reads time,
// frequency and value, zoom and scroll in time, and a few feature parameters to change; the
// features are computed in commands and kept per clip and configuration.
package inspector
