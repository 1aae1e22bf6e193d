package smpp

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/linxGnu/gosmpp/data"

	"mdnhub/internal/message"
)

// Response statuses for received SMS.
const (
	// StatusRetry: not stored for a passing reason (the database); the
	// SMPP "receiver temporary application error" makes the SMSC retry.
	StatusRetry = data.ESME_RX_T_APPN
	// StatusRefuse: never storable (bad recipient, undecodable); the
	// "permanent application error" stops retries, and lets the SMSC tell
	// the sender, where ESME_ROK would silently swallow the SMS.
	StatusRefuse = data.ESME_RX_P_APPN
)

// job is one unit of a commit: an inbound SMS, or a delivery receipt, with
// the responses owed once it is stored.
type job struct {
	in      message.Inbound
	receipt *receipt
	acks    []ack
}

// collect turns arrivals into jobs, reassembling concatenated SMS, and
// routes each job to the shard of its recipient.
func (g *Gateway) collect(ctx context.Context) {
	asm := newAssembler(g.cfg.ConcatTimeout, g.cfg.PartHold)
	tick := time.NewTicker(sweepEvery(g.cfg))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case a := <-g.arrivals:
			j, ok := g.take(asm, a, time.Now())
			if !ok {
				continue
			}
			select {
			case g.shards[shardOf(j, len(g.shards))] <- j:
			case <-ctx.Done():
				return
			}
		case now := <-tick.C:
			g.sweep(asm, now)
		}
	}
}

// shardOf spreads jobs over the committers by recipient number (receipts
// by message id): concurrent transactions then never lock the same
// number's rows, which on PostgreSQL would make them wait for each other
// or deadlock.
func shardOf(j job, n int) int {
	h := fnv.New32a()
	if j.receipt != nil {
		h.Write([]byte(j.receipt.id))
	} else {
		d := make([]byte, 0, 16)
		for _, c := range []byte(j.in.To) {
			if c >= '0' && c <= '9' {
				d = append(d, c)
			}
		}
		h.Write(d[max(0, len(d)-10):]) // with or without the country code
	}
	return int(h.Sum32() % uint32(n))
}

// commitLoop is one shard's committer. It takes the jobs waiting, and
// waits for more, up to batch, for at most batch_wait after the first one,
// and commits them in one transaction. While it commits, the next batch
// gathers in its queue, so a busy link gets fewer, larger commits. It stops
// waiting early when nothing came for a tenth of batch_wait: the SMSC has
// then filled its window and sends nothing more until we answer.
func (g *Gateway) commitLoop(ctx context.Context, in <-chan job) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	gap := max(g.cfg.BatchWait/10, 100*time.Microsecond)
	for {
		var batch []job
		select {
		case <-ctx.Done():
			return
		case j := <-in:
			batch = append(batch, j)
		}
		if g.cfg.BatchWait > 0 {
			timer.Reset(g.cfg.BatchWait)
		}
	fill:
		for len(batch) < g.cfg.Batch {
			select {
			case j := <-in:
				batch = append(batch, j)
				continue
			default:
			}
			if g.cfg.BatchWait <= 0 {
				break
			}
			quiet.Reset(gap)
			select {
			case j := <-in:
				batch = append(batch, j)
			case <-quiet.C:
				break fill
			case <-timer.C:
				break fill
			case <-ctx.Done():
				return
			}
		}
		timer.Stop()
		quiet.Stop()
		g.commit(ctx, batch)
	}
}

func sweepEvery(c Config) time.Duration {
	d := c.ConcatTimeout / 4
	if c.PartHold > 0 && c.PartHold/4 < d {
		d = c.PartHold / 4
	}
	return min(max(d, 10*time.Millisecond), time.Second)
}

// take makes a job of an arrival, if it completes one.
func (g *Gateway) take(asm *assembler, a arrival, now time.Time) (job, bool) {
	switch {
	case a.bad != nil:
		g.log.Warn("smpp refused a malformed SMS", "err", a.bad)
		respond(a.ack, StatusRefuse)
		return job{}, false
	case a.receipt != nil:
		return job{receipt: a.receipt, acks: []ack{a.ack}}, true
	}
	w, ok := asm.add(a.part, now)
	if !ok {
		return job{}, false
	}
	if w.err != nil {
		g.log.Warn("smpp refused an undecodable SMS", "from", w.src, "to", w.dst, "err", w.err)
		for _, k := range w.acks {
			respond(k, StatusRefuse)
		}
		return job{}, false
	}
	return job{acks: w.acks, in: message.Inbound{
		To: w.dst, From: strings.TrimPrefix(w.src, "+"), Text: w.text,
		Gateway: g.cfg.Name, GatewayID: idempotencyKey(w, now, g.cfg.DedupeWindow),
	}}, true
}

// sweep answers parts held too long and gives up on SMS whose parts
// stopped coming.
func (g *Gateway) sweep(asm *assembler, now time.Time) {
	release, gone := asm.sweep(now)
	for _, a := range release {
		respond(a, data.ESME_ROK)
	}
	for _, ab := range gone {
		g.log.Warn("smpp dropped an incomplete concatenated SMS", "from", ab.key.src, "to", ab.key.dst,
			"ref", ab.key.ref, "parts", ab.have, "of", ab.key.total, "unanswered", len(ab.owed))
		for _, a := range ab.owed {
			respond(a, StatusRetry)
		}
	}
}

// idempotencyKey names an inbound SMS so that the SMSC's resend of it is
// stored once. deliver_sm carries no SMSC message id or timestamp, and its
// sequence number changes with each attempt, so the key is what a resend
// repeats: both addresses, the concatenation reference and size (which
// the SMSC stores with the message, and which differ between two long SMS
// with the same text), the text, and the dedupe_window bucket of the
// arrival time. The same text from the same sender within one bucket is
// therefore stored once; it carries nothing new. A resend that crosses a
// bucket boundary is stored twice, the lesser evil.
func idempotencyKey(w whole, now time.Time, window time.Duration) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d/%d/%d\x00", w.src, w.dst, w.concat.kind, w.concat.ref, w.concat.total)
	h.Write([]byte(w.text))
	return fmt.Sprintf("fp:%x:%d", h.Sum(nil)[:16], now.Unix()/int64(window/time.Second))
}

// commit stores a batch in one transaction and only then answers its PDUs:
// an SMS is acknowledged to the SMSC only once it is durable.
func (g *Gateway) commit(ctx context.Context, jobs []job) {
	status := make([]data.CommandStatusType, len(jobs))
	var (
		ins []message.Inbound
		at  []int
	)
	for i, j := range jobs {
		if j.receipt == nil {
			ins = append(ins, j.in)
			at = append(at, i)
		}
	}
	if len(ins) > 0 {
		res, err := g.d.DeliverBatch(ctx, ins)
		if err != nil && len(ins) > 1 && ctx.Err() == nil {
			// A resend committed by a concurrent batch fails this one on the
			// unique key; the retry finds it stored.
			res, err = g.d.DeliverBatch(ctx, ins)
		}
		if err != nil {
			g.log.Error("smpp could not store inbound SMS; the SMSC will retry", "count", len(ins), "err", err)
		}
		for k, i := range at {
			switch {
			case err != nil:
				status[i] = StatusRetry
			case res[k].Err != nil:
				g.log.Warn("smpp refused an inbound SMS", "from", ins[k].From, "to", ins[k].To, "err", res[k].Err)
				status[i] = StatusRefuse
			default:
				if !res[k].Duplicate {
					g.metrics.inbound.Inc()
				}
			}
		}
	}
	for i, j := range jobs {
		if j.receipt != nil {
			status[i] = g.applyReceipt(ctx, *j.receipt)
		}
	}
	for i, j := range jobs {
		for _, a := range j.acks {
			respond(a, status[i])
		}
	}
}

// applyReceipt records a final receipt state on the outbound SMS it
// matches, under any of the id forms the SMSC may use.
func (g *Gateway) applyReceipt(ctx context.Context, r receipt) data.CommandStatusType {
	if r.id == "" || r.state == "" {
		return data.ESME_ROK // nothing to match, or not final yet
	}
	for _, id := range receiptIDs(r.id) {
		ok, err := g.d.RecordReceipt(ctx, g.cfg.Name, id, r.state)
		if err != nil {
			g.log.Error("smpp could not record a receipt; the SMSC will retry", "id", r.id, "err", err)
			return StatusRetry
		}
		if ok {
			return data.ESME_ROK
		}
	}
	g.log.Debug("smpp receipt matches no outbound SMS", "id", r.id, "state", r.state)
	return data.ESME_ROK
}
