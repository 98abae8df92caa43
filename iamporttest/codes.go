package iamporttest

// The standard codes of the Korea Financial Telecommunications and Clearings
// Institute (금융결제원) that GET /banks and GET /cards answer with, in the
// API's order.

type standardCode struct{ code, name string }

var bankCodes = []standardCode{
	{"002", "KDB산업은행"}, {"003", "IBK기업은행"}, {"004", "KB국민은행"}, {"007", "수협은행"},
	{"011", "NH농협은행"}, {"012", "지역농축협"}, {"020", "우리은행"}, {"023", "SC제일은행"},
	{"027", "한국씨티은행"}, {"031", "iM뱅크"}, {"032", "부산은행"}, {"034", "광주은행"},
	{"035", "제주은행"}, {"037", "전북은행"}, {"039", "경남은행"}, {"045", "새마을금고"},
	{"048", "신협"}, {"050", "저축은행"}, {"064", "산림조합"}, {"071", "우체국"},
	{"081", "하나은행"}, {"088", "신한은행"}, {"089", "케이뱅크"}, {"090", "카카오뱅크"},
	{"092", "토스뱅크"},
}

var cardCodes = []standardCode{
	{"361", "BC카드"}, {"364", "광주카드"}, {"365", "삼성카드"}, {"366", "신한카드"},
	{"367", "현대카드"}, {"368", "롯데카드"}, {"369", "수협카드"}, {"370", "씨티카드"},
	{"371", "NH카드"}, {"372", "전북카드"}, {"373", "제주카드"}, {"374", "하나카드"},
	{"381", "KB국민카드"}, {"041", "우리카드"}, {"071", "우체국카드"},
}

// codeName returns the name of code in table, and whether it is there.
func codeName(table []standardCode, code string) (string, bool) {
	for _, c := range table {
		if c.code == code {
			return c.name, true
		}
	}
	return "", false
}

func wireCode(c standardCode) map[string]any { return map[string]any{"code": c.code, "name": c.name} }

func codeList(table []standardCode) result {
	out := make([]any, 0, len(table))
	for _, c := range table {
		out = append(out, wireCode(c))
	}
	return okResult(out)
}

func codeLookup(table []standardCode, code, msg string) result {
	name, ok := codeName(table, code)
	if !ok {
		return notFound(msg)
	}
	return okResult(wireCode(standardCode{code, name}))
}

// allBankCodes is GET /banks.
func (c *core) allBankCodes(*apiRequest) result { return codeList(bankCodes) }

// bankCode is GET /banks/{bank_standard_code}.
func (c *core) bankCode(rq *apiRequest) result {
	return codeLookup(bankCodes, rq.params["bank_standard_code"], msgNoBank)
}

// allCardCodes is GET /cards.
func (c *core) allCardCodes(*apiRequest) result { return codeList(cardCodes) }

// cardCode is GET /cards/{card_standard_code}.
func (c *core) cardCode(rq *apiRequest) result {
	return codeLookup(cardCodes, rq.params["card_standard_code"], "코드에 해당되는 카드사정보를 찾을 수 없습니다.")
}

const msgNoBank = "코드에 해당되는 은행정보를 찾을 수 없습니다."

var codeRoutes = []*route{
	{method: "GET", template: "/banks", h: (*core).allBankCodes},
	{method: "GET", template: "/banks/{bank_standard_code}", h: (*core).bankCode},
	{method: "GET", template: "/cards", h: (*core).allCardCodes},
	{method: "GET", template: "/cards/{card_standard_code}", h: (*core).cardCode},
}
