package iamporttest

// areaState holds what the virtual-account, receipt, certification, escrow
// and account endpoints store. Everything in it is guarded by core.mu.
type areaState struct {
	receipts map[string]*receipt        // by imp_uid
	external map[string]*receipt        // by merchant_uid
	certs    map[string]*certification  // by imp_uid
	logis    map[string]*escrowShipment // by imp_uid
	tiers    map[string]string          // tier_code -> tier_name
	accounts map[string]string          // bank_code + "/" + digits -> holder
	certN    int64                      // certifications made, numbers their imp_uids
	receiptN int64                      // receipts issued, numbers their IDs
}

// areas returns the area state, making it on first use. Call with mu held.
func (c *core) areas() *areaState {
	if c.area == nil {
		c.area = &areaState{
			receipts: map[string]*receipt{},
			external: map[string]*receipt{},
			certs:    map[string]*certification{},
			logis:    map[string]*escrowShipment{},
			tiers:    map[string]string{},
			accounts: map[string]string{},
		}
	}
	return c.area
}
