// Package audio decodes the audio files Hark's users bring (WAV, Sun .au, FLAC, OGG Vorbis, MP3)
// into float32 samples as libsndfile (soundfile) reads them, mixes them to mono like librosa and
// resamples them.
package audio
