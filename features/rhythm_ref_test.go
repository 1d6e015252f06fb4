package features

import (
	"slices"
	"testing"
)

// rhythmCase returns the function computing a rhythm case kind of the manifest for
// TestLibrosaReference, end to end from the decoded input: the spectrogram through this
// package's STFT, mel and dB code, then the rhythm code. (TestRhythmReferencesFromFeatures
// checks the rhythm code alone, from librosa's own intermediate arrays.)
func rhythmCase(kind string) refFunc {
	switch kind {
	case "onset_strength":
		return refOnsetStrength
	case "beat_onset_envelope":
		return func(t *testing.T, c refCase, in refInput, y []float32) refResult {
			env := refBeatEnvelope(t, c, in, y)
			return refResult{Shape: []int{len(env)}, Data: asFloat64s(env)}
		}
	case "beat_tempogram_mean":
		return func(t *testing.T, c refCase, in refInput, y []float32) refResult {
			sr, hop := refRate(c, in)
			win := TempoWindow(sr, hop, 8)
			if c.Params.Win != nil && *c.Params.Win != win {
				t.Fatalf("TempoWindow(%d, %d, 8) = %d, the manifest says %d", sr, hop, win, *c.Params.Win)
			}
			tg := MeanTempogram(nil, refBeatEnvelope(t, c, in, y), win)
			return refResult{Shape: []int{win, 1}, Data: tg}
		}
	case "beat_tempo":
		return func(t *testing.T, c refCase, in refInput, y []float32) refResult {
			tempo, _, empty := refBeats(t, c, in, y)
			if empty {
				// librosa returns the Python float 0.0, a 0-d array, when there are no onsets.
				return refResult{Shape: []int{}, Data: []float64{tempo}}
			}
			return refResult{Shape: []int{1}, Data: []float64{tempo}}
		}
	case "beat_frames":
		return func(t *testing.T, c refCase, in refInput, y []float32) refResult {
			_, beats, _ := refBeats(t, c, in, y)
			return refResult{Shape: []int{len(beats)}, Data: asFloat64s(beats)}
		}
	case "beat_sync_mel":
		return func(t *testing.T, c refCase, in refInput, y []float32) refResult {
			_, beats, _ := refBeats(t, c, in, y)
			mel := refMelMatrix(t, refParams{}, in, y) // the input's analysis mel spectrogram
			return matrixResult(Sync(nil, mel, beats, AggMedian))
		}
	}
	return nil
}

// refRate is the case's sample rate and hop, defaulting to the input's analysis.
func refRate(c refCase, in refInput) (sr, hop int) {
	return orInt(c.Params.SR, in.SR), orInt(c.Params.Hop, in.Analysis.Hop)
}

// refOnsetStrength is librosa.onset.onset_strength(y, sr, n_fft, hop_length) over the analysis
// mel spectrogram in dB (ref=1.0), mean over bands.
func refOnsetStrength(t *testing.T, c refCase, in refInput, y []float32) refResult {
	_, hop := refRate(c, in)
	mel := refMelMatrix(t, c.Params, in, y)
	db := PowerToDB(nil, mel, DBOptions{Ref: 1, AMin: 1e-10, TopDB: 80})
	env := OnsetStrength(nil, db, OnsetOptions{NFFT: orInt(c.Params.NFFT, in.Analysis.NFFT), Hop: hop})
	return refResult{Shape: []int{len(env)}, Data: asFloat64s(env)}
}

// refBeatEnvelope is the envelope librosa.beat.beat_track(y=...) builds: onset_strength with its
// own defaults (n_fft 2048, 128 mel bands up to sr/2) at the case's hop, median over bands.
func refBeatEnvelope(t *testing.T, c refCase, in refInput, y []float32) []float32 {
	sr, hop := refRate(c, in)
	nfft, nmels := orInt(c.Params.NFFT, 2048), orInt(c.Params.NMels, 128)
	if nfft != 2048 || nmels != 128 {
		t.Fatalf("beat envelope with n_fft %d, n_mels %d; beat_track uses 2048 and 128", nfft, nmels)
	}
	mel := refMelMatrix(t, refParams{SR: &sr, NFFT: &nfft, Hop: &hop, NMels: &nmels, FMax: c.Params.FMax}, in, y)
	db := PowerToDB(nil, mel, DBOptions{Ref: 1, AMin: 1e-10, TopDB: 80})
	return OnsetStrength(nil, db, OnsetOptions{NFFT: nfft, Hop: hop, Aggregate: AggMedian})
}

// refBeats is librosa.beat.beat_track(y=y, sr=sr, hop_length=hop); empty reports the
// all-zero envelope for which librosa returns a scalar tempo.
func refBeats(t *testing.T, c refCase, in refInput, y []float32) (tempo float64, beats []int, empty bool) {
	sr, hop := refRate(c, in)
	env := refBeatEnvelope(t, c, in, y)
	tempo, beats = BeatTrack(env, sr, hop, BeatOptions{})
	empty = !slices.ContainsFunc(env, func(v float32) bool { return v != 0 })
	return tempo, beats, empty
}
