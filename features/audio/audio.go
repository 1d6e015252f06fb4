package audio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hark-audio/hark/internal/npsum"
)

// Errors that Probe, Load and Decode wrap (test with errors.Is). Every returned error also names
// the file and says what is wrong with it.
var (
	// ErrUnknownFormat: the leading bytes match none of WAV, Sun .au, FLAC, OGG or MP3
	// (libsndfile: "Format not recognised").
	ErrUnknownFormat = errors.New("format not recognised")
	// ErrUnsupported: a recognised container holding an encoding this package does not decode
	// (ADPCM in WAV, Opus in OGG, MPEG layer I/II, ...).
	ErrUnsupported = errors.New("unsupported encoding")
	// ErrMalformed: the headers are inconsistent or missing (zero channels, zero sample rate, a
	// short fmt chunk, no data chunk, ...).
	ErrMalformed = errors.New("malformed file")
)

// Container names used in Info.Format.
const (
	FormatWAV  = "wav"
	FormatAU   = "au"
	FormatFLAC = "flac"
	FormatOGG  = "ogg"
	FormatMP3  = "mp3"
)

// maxChannels is libsndfile's SF_MAX_CHANNELS: files claiming more are rejected as malformed.
const maxChannels = 1024

// Info describes an audio file as its headers state it.
type Info struct {
	// Format is the container: "wav", "au", "flac", "ogg" or "mp3".
	Format string
	// Encoding is the sample encoding, named like soundfile's subtypes in lower case:
	// "pcm_u8", "pcm_s8", "pcm_s16", "pcm_s24", "pcm_s32", "float32", "float64", "mulaw",
	// "alaw", "vorbis", "mp3". WAV files with a WAVE_FORMAT_EXTENSIBLE header carry the prefix
	// "extensible " (for example "extensible pcm_s24").
	Encoding string
	// SampleRate in Hz and Channels as the file declares them.
	SampleRate int
	Channels   int
	// Frames is the number of sample frames (samples per channel) that Decode returns; it is
	// -1 when the headers do not say (a FLAC stream whose STREAMINFO leaves it 0).
	Frames int64
	// BitDepth is the stored bits per sample for PCM, float and G.711 encodings (8 for mu-law
	// and A-law) and 0 for lossy codecs.
	BitDepth int
}

// Duration is Frames / SampleRate, or 0 when either is unknown.
func (i Info) Duration() time.Duration {
	if i.Frames <= 0 || i.SampleRate <= 0 {
		return 0
	}
	sec := i.Frames / int64(i.SampleRate)
	rem := i.Frames % int64(i.SampleRate)
	return time.Duration(sec)*time.Second + time.Duration(rem)*time.Second/time.Duration(i.SampleRate)
}

// Clip is a decoded file: Data holds Info.Frames x Info.Channels samples, interleaved frame by
// frame, scaled to [-1, 1) exactly as libsndfile's sf_read_float does (soundfile.read with
// dtype='float32').
type Clip struct {
	Info Info
	Data []float32
}

// Probe reads only the headers of the file at path and reports what Load would return. It is
// cheap enough to call on every file of a large dataset: for WAV, .au and FLAC it reads a few
// hundred bytes (FLAC: plus the metadata blocks), for OGG the first and last pages. MP3 has no
// length field, so Probe walks the frame headers (go-mp3 reads each frame once without decoding
// it).
func Probe(path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, fmt.Errorf("audio: probe %s: %w", path, err)
	}
	defer f.Close()
	return probe(f, path)
}

// Load decodes the file at path. The format is chosen by the file's leading bytes, not by its
// extension, so a FLAC file named .wav still loads and a text file named .wav is rejected with
// ErrUnknownFormat.
func Load(path string) (*Clip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("audio: load %s: %w", path, err)
	}
	defer f.Close()
	return Decode(f, path)
}

// Decode decodes the audio in r, read from its start (Decode seeks to offset 0); name is used
// in error messages only. Every allocation is bounded by the size of r, so a header that lies
// about its length costs no more memory than the data actually present. A file cut short
// behaves as in libsndfile: WAV, .au and MP3 decode the whole frames present, FLAC and OGG
// Vorbis fail.
func Decode(r io.ReadSeeker, name string) (*Clip, error) {
	s, err := open(r, name)
	if err != nil {
		return nil, err
	}
	return s.decode(r, name)
}

// LoadMono is librosa.load(path, sr=sr, mono=True): the file decoded, its channels averaged,
// and, when sr > 0 differs from the file's rate, resampled to sr with Resample. sr <= 0 keeps
// the native rate (librosa's sr=None). It returns the samples and their rate; a rate that
// NewResampler rejects is an error.
//
// Resampling uses this package's windowed-sinc filter, not soxr: resampled values are close to
// librosa's (see Resample) but not bit-identical; without resampling the result is
// bit-identical to librosa's for WAV, .au and FLAC.
func LoadMono(path string, sr int) (y []float32, rate int, err error) {
	c, err := Load(path)
	if err != nil {
		return nil, 0, err
	}
	y = c.Mono(nil)
	rate = c.Info.SampleRate
	if sr > 0 && sr != rate {
		r, err := NewResampler(rate, sr)
		if err != nil {
			return nil, 0, fmt.Errorf("audio: %s: %w", path, err)
		}
		y, rate = r.Resample(nil, y), sr
	}
	return y, rate, nil
}

// Mono writes the average of the channels of c into dst (resized, or allocated when too small
// or nil) and returns it, like librosa.to_mono: the per-frame sum is formed in float32 in the
// order numpy's pairwise summation uses, then divided by the channel count, so the result is
// bit-identical to numpy.mean(y, axis=0) on librosa's (channels, frames) view. A mono clip is
// copied unchanged.
func (c *Clip) Mono(dst []float32) []float32 {
	ch := c.Info.Channels
	if ch <= 0 {
		return dst[:0]
	}
	n := len(c.Data) / ch
	if cap(dst) < n {
		dst = make([]float32, n)
	}
	dst = dst[:n]
	if ch == 1 {
		copy(dst, c.Data)
		return dst
	}
	div := float32(ch)
	for i := range dst {
		dst[i] = npsum.Pairwise(c.Data[i*ch:(i+1)*ch]) / div
	}
	return dst
}

// source is one opened file: its headers parsed, ready to decode its samples.
type source interface {
	info() Info
	decode(r io.ReadSeeker, name string) (*Clip, error)
}

func probe(r io.ReadSeeker, name string) (Info, error) {
	s, err := open(r, name)
	if err != nil {
		return Info{}, err
	}
	return s.info(), nil
}

// magicLen is how many leading bytes format detection looks at.
const magicLen = 12

// open detects the container from the leading bytes of r and parses its headers.
func open(r io.ReadSeeker, name string) (source, error) {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("audio: %s: %w", name, err)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("audio: %s: %w", name, err)
	}
	var head [magicLen]byte
	n, err := io.ReadFull(r, head[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("audio: %s: %w", name, err)
	}
	h := head[:n]
	switch {
	case len(h) >= 12 && (bytes.HasPrefix(h, []byte("RIFF")) || bytes.HasPrefix(h, []byte("RIFX")) ||
		bytes.HasPrefix(h, []byte("RF64"))) && bytes.Equal(h[8:12], []byte("WAVE")):
		return openWAV(r, size, name)
	case bytes.HasPrefix(h, []byte(".snd")) || bytes.HasPrefix(h, []byte("dns.")):
		return openAU(r, size, name)
	case bytes.HasPrefix(h, []byte("fLaC")):
		return openFLAC(r, size, name)
	case bytes.HasPrefix(h, []byte("OggS")):
		return openOGG(r, size, name)
	case bytes.HasPrefix(h, []byte("ID3")):
		// An ID3v2 tag can precede MP3 frames and, less often, a FLAC stream.
		return openID3(r, size, name)
	case isMP3Sync(h):
		return openMP3(r, size, 0, name)
	}
	if size == 0 {
		return nil, fmt.Errorf("audio: %s: %w: the file is empty", name, ErrUnknownFormat)
	}
	return nil, fmt.Errorf("audio: %s: %w: leading bytes %q are none of RIFF/WAVE, .snd, fLaC, OggS, ID3 or an MPEG frame",
		name, ErrUnknownFormat, h)
}

// capHint bounds a preallocation that a header asks for by what the file can hold, so that a
// lying header cannot make the decoder reserve absurd memory; the slice still grows by append
// if the file really decodes to more.
func capHint(claimed, bound int64) int {
	if claimed < 0 {
		claimed = 0
	}
	if claimed > bound {
		claimed = bound
	}
	const maxInt = int64(^uint(0) >> 1)
	if claimed > maxInt {
		claimed = maxInt
	}
	return int(claimed)
}
