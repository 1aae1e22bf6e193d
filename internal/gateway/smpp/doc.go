// Package smpp is the SMPP 3.4 gateway kind: an ESME bound to an SMSC (or
// a SIM bank speaking SMPP) as a transceiver, or as a receiver plus a
// transmitter. It stores inbound SMS through the message service, sends
// outbound SMS for send_sms, and applies delivery receipts.
//
// Durability: a deliver_sm (or data_sm) is answered only after its SMS is
// committed. The gosmpp read loop answers nothing by itself (OnAllPDU);
// received SMS go to a collector, which reassembles them and routes each
// to one of a few committers by recipient number (so that concurrent
// transactions never contend for one number's rows). A committer batches
// what it gets (up to batch, waiting at most batch_wait) into one
// DeliverBatch transaction, and writes the responses after it returns. A
// crash before that leaves the SMS unanswered, and the SMSC delivers it
// again.
//
// Responses: ESME_ROK once stored (or found stored before);
// ESME_RX_P_APPN (permanent) for an SMS that can never be stored, such as
// one to a recipient that is not a US number or binary data, so that the
// SMSC stops retrying and can report the failure instead of believing it
// delivered; ESME_RX_T_APPN (temporary) when the database failed, so that
// the SMSC retries.
//
// Idempotency: deliver_sm has no SMSC message id or timestamp, and a
// resend has a new sequence number, so an SMS is keyed by what a resend
// repeats: addresses, concatenation reference and size, text, and the
// dedupe_window bucket of its arrival (see idempotencyKey).
//
// Concatenated SMS (UDH with 8- or 16-bit reference, or SAR TLVs) are
// reassembled per sender, recipient and reference, tolerating any order
// and repeated parts. Their responses are held until the whole SMS is
// stored, so a crash loses no part. Holding has a limit, part_hold: an SMSC
// that sends the next part only after the previous one is answered would
// otherwise never complete the message. A part held that long is answered
// and kept in memory only, which a crash loses; that happens only with
// such slow SMSCs. An SMS still incomplete concat_timeout after its latest
// part is dropped with a warning, and any part not answered yet gets
// ESME_RX_T_APPN so that the SMSC sends it again later.
//
// Delivery receipts (esm_class message type bits, a receipted_message_id
// TLV, or "id:... stat:..." text) are not stored as SMS: their final state
// is recorded on the outbound SMS whose submit_sm_resp gave that id.
package smpp
