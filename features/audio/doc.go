// Package audio decodes the audio files Hark's users bring (WAV, Sun .au, FLAC, OGG Vorbis, MP3)
// into float32 samples exactly as libsndfile would, mixes to mono and resamples.
package audio
