package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestTLS: --tls-cert/--tls-key serve HTTPS; with access control on, the
// server may listen beyond loopback, and a half TLS pair is refused.
func TestTLS(t *testing.T) {
	if err := (Config{Addr: "0.0.0.0:8443"}).validate(); err != nil {
		t.Fatalf("listening beyond loopback is allowed now: %v", err)
	}
	if err := (Config{Addr: "127.0.0.1:0", TLSCert: "c.pem"}).validate(); err == nil {
		t.Fatal("a certificate without its key was accepted")
	}
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dsn test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)

	ctx, cancel := context.WithCancel(context.Background())
	m, err := NewMain(ctx, Config{Addr: "127.0.0.1:0", Store: StoreConfig{DataDir: t.TempDir()}, TLSCert: certFile, TLSKey: keyFile},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done; m.Close() }()
	pool := x509.NewCertPool()
	cert, _ := x509.ParseCertificate(der)
	pool.AddCert(cert)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	var res *http.Response
	for range 50 { // Run starts serving in a goroutine
		if res, err = c.Get("https://" + m.Addr() + "/fhir/Patient"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil || res.StatusCode != 401 || res.TLS == nil {
		t.Fatalf("HTTPS without a token: %v %v", res, err)
	}
	res.Body.Close()
	if _, err := http.Get("http://" + m.Addr() + "/healthz"); err == nil {
		// Go's TLS server answers plain HTTP with a 400, never with data
		r2, _ := http.Get("http://" + m.Addr() + "/healthz")
		if r2 != nil && r2.StatusCode == 200 {
			t.Fatal("plain HTTP served on the TLS port")
		}
	}
}
