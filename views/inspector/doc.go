// Package inspector is the Inspector pane: one clip drawn as a waveform, spectrogram, mel
// spectrogram, MFCC or chromagram, plain or beat-synchronous, with a cursor that reads time,
// frequency and value, zoom and scroll in time, a few feature parameters to change, and the
// clip before and after augmentation; images (and both images of a pair) are drawn in
// grayscale half-blocks. Features, previews and images are computed in commands and kept per
// clip and configuration.
package inspector
