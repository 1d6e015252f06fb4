// Package features is Hark's DSP: STFT, mel filterbanks, MFCC, chroma, onset strength, beat
// tracking and beat-synchronous aggregation, computed on float32 samples to match librosa 0.11.
package features
