package idempotency

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strconv"
)

// A stored answer says what a customer bought, and proxy_rent's holds a
// proxy password that is otherwise kept only hashed; the row therefore
// holds it sealed (AES-256-GCM) under a key that only the caller has: one
// derived from the credential presented with the call, which the database
// keeps only as a hash. A copy of the database reveals no answer; a retry,
// presenting the same credential, opens it.

// sealInfo names what the derived keys are for, so that no other use of the
// same credential can ever derive the same key.
const sealInfo = "mdnhub idempotency answer v1"

// errNoSecret is a Call made without the credential to seal its answer
// with: a mistake of the caller, never a customer's.
var errNoSecret = errors.New("idempotency: a keyed call needs the caller's secret to seal its answer")

// aead returns the cipher sealing c's answer. The key is derived from the
// secret for this account and this idempotency key only, so equal answers
// of two keys never share a key.
func (c *Call[T]) aead() (cipher.AEAD, error) {
	if c.Secret == "" {
		return nil, errNoSecret
	}
	info := sealInfo + "\x00" + strconv.FormatInt(c.UserID, 10) + "\x00" + c.Key
	key, err := hkdf.Key(sha256.New, []byte(c.Secret), nil, info, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// additional binds a sealed answer to the call it answers: moved to a row
// of other parameters, it no longer opens.
func (c *Call[T]) additional() []byte {
	return []byte(c.Command + "\x00" + c.Fingerprint)
}

// seal encrypts answer for storage: a random nonce, then the ciphertext and
// its tag. The nonce is random rather than derived because a key freed
// after TTL, or by Abandon, may be used again with the same secret.
func (c *Call[T]) seal(answer []byte) ([]byte, error) {
	g, err := c.aead()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(answer)+g.Overhead())
	rand.Read(nonce) // never fails (crypto/rand)
	return g.Seal(nonce, nonce, answer, c.additional()), nil
}

// open decrypts a sealed answer; anything that does not open with c's
// secret (another credential, or a value that is no sealed answer) is
// ErrSealed.
func (c *Call[T]) open(sealed []byte) ([]byte, error) {
	g, err := c.aead()
	if err != nil {
		return nil, err
	}
	if len(sealed) < g.NonceSize()+g.Overhead() {
		return nil, ErrSealed
	}
	n := g.NonceSize()
	answer, err := g.Open(nil, sealed[:n], sealed[n:], c.additional())
	if err != nil {
		return nil, ErrSealed
	}
	return answer, nil
}
