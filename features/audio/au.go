package audio

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Sun/NeXT .au, as libsndfile's au.c reads it: a header of six 32-bit words -- magic ".snd"
// (big-endian; "dns." marks DEC's little-endian variant), data offset, data size, encoding,
// sample rate, channels -- then the samples from the data offset on. A data size of
// 0xFFFFFFFF ("unknown") or one larger than the file means "up to the end of the file".

// auSource is a parsed .au header.
type auSource struct {
	inf     Info
	c       codec
	dataOff int64
}

func (a *auSource) info() Info { return a.inf }

const auUnknownSize = 0xFFFFFFFF

// auCodec maps an .au encoding number to its codec and bit depth.
func auCodec(enc uint32, bigEndian bool) (codec, int, bool) {
	switch enc {
	case 1:
		return codec{kind: kindULaw, width: 1}, 8, true
	case 2:
		return codec{kind: kindS8, width: 1}, 8, true
	case 3:
		return codec{kind: kindS16, width: 2, bigEndian: bigEndian}, 16, true
	case 4:
		return codec{kind: kindS24, width: 3, bigEndian: bigEndian}, 24, true
	case 5:
		return codec{kind: kindS32, width: 4, bigEndian: bigEndian}, 32, true
	case 6:
		return codec{kind: kindF32, width: 4, bigEndian: bigEndian}, 32, true
	case 7:
		return codec{kind: kindF64, width: 8, bigEndian: bigEndian}, 64, true
	case 27:
		return codec{kind: kindALaw, width: 1}, 8, true
	}
	return codec{}, 0, false
}

func openAU(r io.ReadSeeker, size int64, name string) (source, error) {
	var h [24]byte
	if size < int64(len(h)) {
		return nil, fmt.Errorf("audio: %s: %w: %d bytes, too short for an .au header", name, ErrMalformed, size)
	}
	if err := readAt(r, 0, h[:]); err != nil {
		return nil, fmt.Errorf("audio: %s: reading the .au header: %w", name, err)
	}
	var bo binary.ByteOrder = binary.BigEndian
	if string(h[:4]) == "dns." {
		bo = binary.LittleEndian
	}
	off := int64(bo.Uint32(h[4:]))
	dataSize := int64(bo.Uint32(h[8:]))
	enc := bo.Uint32(h[12:])
	rate := bo.Uint32(h[16:])
	channels := bo.Uint32(h[20:])
	switch {
	case off < int64(len(h)) || off > size:
		return nil, fmt.Errorf("audio: %s: %w: data offset %d outside the header and file (%d bytes)", name, ErrMalformed, off, size)
	case channels == 0:
		return nil, fmt.Errorf("audio: %s: %w: channel count is zero", name, ErrMalformed)
	case channels > maxChannels:
		return nil, fmt.Errorf("audio: %s: %w: %d channels (more than %d)", name, ErrMalformed, channels, maxChannels)
	case rate == 0:
		return nil, fmt.Errorf("audio: %s: %w: sample rate is zero", name, ErrMalformed)
	}
	c, bits, ok := auCodec(enc, bo == binary.BigEndian)
	if !ok {
		return nil, fmt.Errorf("audio: %s: %w: .au encoding %d", name, ErrUnsupported, enc)
	}
	if dataSize == auUnknownSize || dataSize > size-off {
		dataSize = size - off
	}
	return &auSource{
		inf: Info{
			Format:     FormatAU,
			Encoding:   c.encoding(),
			SampleRate: int(rate),
			Channels:   int(channels),
			Frames:     dataSize / int64(c.width*int(channels)),
			BitDepth:   bits,
		},
		c:       c,
		dataOff: off,
	}, nil
}

func (a *auSource) decode(r io.ReadSeeker, name string) (*Clip, error) {
	out := make([]float32, a.inf.Frames*int64(a.inf.Channels))
	if _, err := r.Seek(a.dataOff, io.SeekStart); err != nil {
		return nil, fmt.Errorf("audio: %s: %w", name, err)
	}
	if err := a.c.decodeBlocks(out, r, a.inf.Channels, name); err != nil {
		return nil, err
	}
	return &Clip{Info: a.inf, Data: out}, nil
}
