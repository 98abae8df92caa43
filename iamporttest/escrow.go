package iamporttest

import (
	"net/http"

	"github.com/iamport-go/iamport"
)

var escrowRoutes = []*route{
	{method: "GET", template: "/escrows/logis/{imp_uid}", h: (*core).getLogis},
	{method: "POST", template: "/escrows/logis/{imp_uid}", h: (*core).saveLogis},
	{method: "PUT", template: "/escrows/logis/{imp_uid}", h: (*core).editLogis},
}

// escrowShipment is the shipping registered for an escrow payment. The fake
// keeps only the logis part, not the sender's or receiver's data.
type escrowShipment struct {
	company, invoice  string
	sentAt, appliedAt iamport.Time
}

func (s *escrowShipment) wire() map[string]any {
	return map[string]any{"company": s.company, "invoice": s.invoice, "sent_at": s.sentAt.Unix(), "applied_at": s.appliedAt.Unix()}
}

const msgNoLogis = "등록된 배송정보가 존재하지 않습니다."

// readLogis reads the body of POST and PUT: sender, receiver and logis
// objects, logis with company, invoice and sent_at.
func (c *core) readLogis(m map[string]any) (*escrowShipment, error) {
	for _, k := range []string{"sender", "receiver", "logis"} {
		if _, ok := m[k].(map[string]any); !ok {
			if m[k] == nil {
				return nil, missing(k)
			}
			return nil, badParam(k)
		}
	}
	l := m["logis"].(map[string]any)
	s := &escrowShipment{appliedAt: c.nowSec()}
	var err error
	if s.company, err = reqStr(l, "company", 0); err != nil {
		return nil, err
	}
	if s.invoice, err = reqStr(l, "invoice", 0); err != nil {
		return nil, err
	}
	sent, present, err := getInt(l, "sent_at")
	if err != nil {
		return nil, err
	}
	if !present || sent <= 0 {
		return nil, missing("sent_at")
	}
	s.sentAt = iamport.Unix(sent)
	return s, nil
}

// escrowPayment finds the paid payment of the path's imp_uid.
func (c *core) escrowPayment(rq *apiRequest) (string, *result) {
	id := rq.params["imp_uid"]
	p, ok := c.byImp[id]
	if !ok {
		r := notFound(msgNoPayment)
		return "", &r
	}
	if p.Status != iamport.PaymentStatusPaid {
		r := badRequest("결제완료(paid)된 거래건만 배송정보를 등록할 수 있습니다.")
		return "", &r
	}
	return id, nil
}

// getLogis is GET /escrows/logis/{imp_uid}: 409 when none is registered.
func (c *core) getLogis(rq *apiRequest) result {
	id := rq.params["imp_uid"]
	if _, ok := c.byImp[id]; !ok {
		return notFound(msgNoPayment)
	}
	s, ok := c.areas().logis[id]
	if !ok {
		return failResult(http.StatusConflict, -1, msgNoLogis)
	}
	return okResult(s.wire())
}

// saveLogis is POST /escrows/logis/{imp_uid}: 409 when one is registered.
func (c *core) saveLogis(rq *apiRequest) result {
	id, res := c.escrowPayment(rq)
	if res != nil {
		return *res
	}
	a := c.areas()
	if _, ok := a.logis[id]; ok {
		return failResult(http.StatusConflict, -1, "이미 배송정보 등록이 완료된 거래건입니다.")
	}
	s, err := c.readLogis(rq.body)
	if err != nil {
		return paramResult(err)
	}
	a.logis[id] = s
	return okResult(s.wire())
}

// editLogis is PUT /escrows/logis/{imp_uid}.
func (c *core) editLogis(rq *apiRequest) result {
	id, res := c.escrowPayment(rq)
	if res != nil {
		return *res
	}
	a := c.areas()
	if _, ok := a.logis[id]; !ok {
		return failResult(http.StatusConflict, -1, msgNoLogis)
	}
	s, err := c.readLogis(rq.body)
	if err != nil {
		return paramResult(err)
	}
	a.logis[id] = s
	return okResult(s.wire())
}
