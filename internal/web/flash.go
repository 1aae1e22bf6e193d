package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"mdnhub/internal/account"
)

// A flash carries a secret shown once (a proxy password, which is stored
// hashed) from the POST that made it to the page that shows it, so that a
// reload shows the page again instead of sending the form again. It lives
// in a cookie for one path and a minute, sealed with a key drawn from the
// session's own secret: any node can open it, for that session only.
const flashCookie = "mdnhub_flash"

func flashKey(sess account.Session) cipher.AEAD {
	key := sha256.Sum256([]byte("mdnhub flash\x00" + sess.CSRF))
	block, _ := aes.NewCipher(key[:])
	aead, _ := cipher.NewGCM(block)
	return aead
}

// setFlash seals value for the page at path.
func (s *Server) setFlash(w http.ResponseWriter, r *http.Request, sess account.Session, path, value string) {
	aead := flashKey(sess)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, []byte(value), []byte(path))
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: path,
		MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
}

// takeFlash opens and clears the flash of the page at path.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request, sess account.Session, path string) (string, bool) {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return "", false
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: path, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
	sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
	aead := flashKey(sess)
	if err != nil || len(sealed) < aead.NonceSize() {
		return "", false
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(path))
	return string(plain), err == nil
}
