// Package client is the Go SDK of mdnhub's api_command.php API (the API of
// the Tell A Bot / CodeBypass family): every command with typed parameters
// and answers, the server's refusals as *APIError values (with errors.Is
// helpers for the common ones), retries with back-off where a retry cannot
// change anything twice, long-poll helpers (WaitForCode, WaitForNumber), and
// the receiving side of callbacks (signature check and typed events).
//
// A minimal program:
//
//	c := client.New("https://mdnhub.example", "alice", os.Getenv("MDN_KEY"))
//	rs, err := c.Request(ctx, client.RequestParams{Service: "Google"})
//	if errors.Is(err, client.ErrNoNumbers) { ... }
//	msg, err := c.WaitForCode(ctx, rs[0].ID)
//	fmt.Println(rs[0].MDN, msg.PIN)
//
// Writes that charge (Request, RentLTR, SendSMS, RentProxy) carry an
// idempotency key, generated when the caller gives none, so the SDK may
// send them again after a lost answer: mdnhub answers a retry with the
// first answer and charges once. Other writes are sent once.
//
// The package has no dependencies beyond the standard library.
package client
