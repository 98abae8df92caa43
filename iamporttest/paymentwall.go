package iamporttest

// paymentwallDelivery is POST /paymentwall/delivery. Paymentwall's own
// refusals (a payment that is not the order's, a physical delivery without
// its carrier and address) come back with code 0 and an error in the
// response, as the real API sends them.
func (c *core) paymentwallDelivery(rq *apiRequest) result {
	for _, k := range []string{"imp_uid", "merchant_uid", "type", "status", "refundable", "shipping_address_email",
		"estimated_delivery_datetime", "estimated_update_datetime"} {
		if v, err := getStr(rq.body, k); err != nil || v == "" {
			return badRequest(missing(k).msg)
		}
	}
	impUID, _ := getStr(rq.body, "imp_uid")
	merchantUID, _ := getStr(rq.body, "merchant_uid")
	typ, _ := getStr(rq.body, "type")
	refuse := func(code int, msg string, notices ...string) result {
		return okResult(map[string]any{"error_code": code, "error": msg, "notices": append([]string{}, notices...)})
	}
	if typ != "physical" && typ != "digital" {
		return refuse(1, "Wrong type", "type must be physical or digital")
	}
	p, ok := c.byImp[impUID]
	if !ok || p.MerchantUID != merchantUID {
		return refuse(2, "Payment not found", "imp_uid and merchant_uid do not name one payment")
	}
	if typ == "physical" {
		for _, k := range []string{"carrier_tracking_id", "carrier_type", "shipping_address_country", "shipping_address_city",
			"shipping_address_zip", "shipping_address_state", "shipping_address_street", "shipping_address_phone",
			"shipping_address_firstname", "shipping_address_lastname"} {
			if v, _ := getStr(rq.body, k); v == "" {
				return refuse(3, "Missing parameter", k+" is required for physical goods")
			}
		}
	}
	return okResult(map[string]any{"success": 1})
}
