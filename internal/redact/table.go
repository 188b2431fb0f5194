package redact

import (
	"encoding/binary"
	"sync"
)

// table is a set of 64-bit hashes, open addressing with linear probing,
// at most three quarters full. 0 marks an empty slot; a hash of 0 is stored as 1.
//
// Only hashes are kept, not the text they came from: a secret's pieces do
// not sit in memory twice, and a lookup costs one probe or two. Two texts
// of one hash (a chance of about n/2^64 per lookup) would only make the
// scrub replace harmless text.
type table struct {
	slots []uint64
	shift uint // 64 - log2(len(slots)): a hash's top bits pick its slot
	n     int
}

func newTable(capacity int) table {
	size, bits := 8, uint(3)
	for size*3 < capacity*4 {
		size, bits = size*2, bits+1
	}
	return table{slots: getSlots(bits), shift: 64 - bits}
}

// Slots of small tables are pooled by size: a request's signature gets a
// Set of its own, and allocating its tables anew each time costs more in
// garbage than building them. Tables over 1<<maxPooledBits slots (a
// token's) are built once and left to the collector.
const maxPooledBits = 12

var slotPools [maxPooledBits + 1]sync.Pool

func getSlots(bits uint) []uint64 {
	if bits <= maxPooledBits {
		if p, ok := slotPools[bits].Get().(*[]uint64); ok {
			clear(*p)
			return *p
		}
	}
	return make([]uint64, 1<<bits)
}

// release returns t's slots to their pool; t is empty afterwards.
func (t *table) release() {
	bits := 64 - t.shift
	if t.slots != nil && bits <= maxPooledBits {
		slots := t.slots
		slotPools[bits].Put(&slots)
	}
	*t = table{}
}

func (t *table) add(h uint64) {
	if h == 0 {
		h = 1
	}
	mask := len(t.slots) - 1
	for i := int(h >> t.shift); ; i = (i + 1) & mask {
		switch t.slots[i] {
		case h:
			return
		case 0:
			t.slots[i] = h
			t.n++
			return
		}
	}
}

func (t *table) has(h uint64) bool {
	if t.n == 0 {
		return false
	}
	if h == 0 {
		h = 1
	}
	mask := len(t.slots) - 1
	for i := int(h >> t.shift); ; i = (i + 1) & mask {
		switch t.slots[i] {
		case h:
			return true
		case 0:
			return false
		}
	}
}

// mix scrambles x so that nearby texts land far apart (the finaliser of
// MurmurHash3's 64-bit variant).
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// gramHash hashes b[0:gramLen].
func gramHash(b []byte) uint64 { return mix(binary.LittleEndian.Uint64(b)) }

// pieceHash hashes b[0:PieceLen].
func pieceHash(b []byte) uint64 {
	return mix(binary.LittleEndian.Uint64(b) ^ mix(uint64(binary.LittleEndian.Uint32(b[8:]))+0x9e3779b97f4a7c15))
}
