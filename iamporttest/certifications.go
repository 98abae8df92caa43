package iamporttest

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/iamport-go/iamport"
)

// TestOTP is the code every identity verification the fake starts with POST
// /certifications/otp/request accepts; any other code is refused.
const TestOTP = "123456"

var certificationRoutes = []*route{
	{method: "POST", template: "/certifications/otp/request", h: (*core).requestOTP},
	{method: "POST", template: "/certifications/otp/confirm/{imp_uid}", h: (*core).confirmOTP},
	{method: "GET", template: "/certifications/{imp_uid}", h: (*core).getCertification},
	{method: "DELETE", template: "/certifications/{imp_uid}", h: (*core).deleteCertification},
}

// certification is an identity verification, pending until confirmed.
type certification struct {
	iamport.Certification
}

func (ct *certification) wire() map[string]any {
	c := &ct.Certification
	m := map[string]any{
		"imp_uid": c.ImpUID, "merchant_uid": nullable(c.MerchantUID), "pg_tid": c.PGTID,
		"pg_provider": c.PGProvider, "name": nullable(c.Name), "gender": nullable(c.Gender),
		"birthday": nullable(c.Birthday), "foreigner": c.Foreigner, "foreigner_v2": c.ForeignerV2,
		"phone": nullable(c.Phone), "carrier": nullable(c.Carrier), "certified": c.Certified,
		"certified_at": c.CertifiedAt.Unix(), "unique_key": nullable(c.UniqueKey),
		"unique_in_site": nullable(c.UniqueInSite), "origin": nil,
	}
	return m
}

// nullable writes "" as null, as the API does.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// requestOTP is POST /certifications/otp/request: the person's data is
// checked and a verification started; TestOTP confirms it.
func (c *core) requestOTP(rq *apiRequest) result {
	m := rq.body
	vals := map[string]string{}
	for _, k := range []string{"name", "phone", "birth", "gender_digit", "carrier", "channel_key"} {
		v, err := reqStr(m, k, 0)
		if err != nil {
			return paramResult(err)
		}
		vals[k] = v
	}
	phone, birth := onlyDigits(vals["phone"]), onlyDigits(vals["birth"])
	if len(phone) < 10 || len(phone) > 11 {
		return paramResult(badParam("phone"))
	}
	if len(birth) != 6 {
		return paramResult(badParam("birth"))
	}
	g := vals["gender_digit"]
	if len(g) != 1 || g[0] < '0' || g[0] > '9' {
		return paramResult(badParam("gender_digit"))
	}
	switch vals["carrier"] {
	case "SKT", "KT", "LGT":
	default:
		return paramResult(badParam("carrier"))
	}
	mvno, err := getBool(m, "is_mvno")
	if err != nil {
		return paramResult(err)
	}
	merchantUID, err := optStr(m, "merchant_uid", maxMerchantUID)
	if err != nil {
		return paramResult(err)
	}
	century := map[byte]string{'9': "18", '0': "18", '1': "19", '2': "19", '5': "19", '6': "19"}[g[0]]
	if century == "" {
		century = "20"
	}
	a := c.areas()
	a.certN++
	ct := &certification{}
	cc := &ct.Certification
	cc.ImpUID = fmt.Sprintf("imp_%012d", 200000000000+a.certN)
	cc.MerchantUID = merchantUID
	cc.PGProvider = "danal"
	cc.PGTID = fmt.Sprintf("danalfake%010d", a.certN)
	cc.Name = vals["name"]
	cc.Phone = phone
	cc.Carrier = vals["carrier"]
	if mvno {
		cc.Carrier += "_MVNO"
	}
	cc.Birthday = century + birth[:2] + "-" + birth[2:4] + "-" + birth[4:6]
	cc.Gender = "female"
	if (g[0]-'0')%2 == 1 {
		cc.Gender = "male"
	}
	cc.Foreigner = g[0] >= '5' && g[0] <= '8'
	foreigner := cc.Foreigner
	cc.ForeignerV2 = &foreigner
	a.certs[cc.ImpUID] = ct
	return okResult(map[string]any{"imp_uid": cc.ImpUID})
}

// confirmOTP is POST /certifications/otp/confirm/{imp_uid}.
func (c *core) confirmOTP(rq *apiRequest) result {
	ct, ok := c.areas().certs[rq.params["imp_uid"]]
	if !ok {
		return notFound("본인인증 요청건이 존재하지 않습니다.")
	}
	if ct.Certified {
		return badRequest("이미 인증이 완료된 건입니다.")
	}
	otp, err := reqStr(rq.body, "otp", 0)
	if err != nil {
		return paramResult(err)
	}
	if otp != TestOTP {
		return badRequest("인증번호가 일치하지 않습니다.")
	}
	ct.Certified = true
	ct.CertifiedAt = c.nowSec()
	// The CI is the same person everywhere, the DI per merchant: derive
	// both from the person's data.
	sum := sha256.Sum256([]byte(ct.Name + "|" + ct.Birthday + "|" + ct.Gender + "|" + ct.Phone))
	ct.UniqueKey = base64.StdEncoding.EncodeToString(sum[:]) + base64.StdEncoding.EncodeToString(sum[:])[:44]
	di := sha256.Sum256(append(sum[:], c.pgID()...))
	ct.UniqueInSite = base64.StdEncoding.EncodeToString(di[:])[:43] + "="
	return okResult(ct.wire())
}

// getCertification is GET /certifications/{imp_uid}.
func (c *core) getCertification(rq *apiRequest) result {
	ct, ok := c.areas().certs[rq.params["imp_uid"]]
	if !ok {
		return notFound("본인인증결과를 찾을 수 없습니다.")
	}
	return okResult(ct.wire())
}

// deleteCertification is DELETE /certifications/{imp_uid}.
func (c *core) deleteCertification(rq *apiRequest) result {
	a := c.areas()
	id := rq.params["imp_uid"]
	ct, ok := a.certs[id]
	if !ok {
		return notFound("본인인증결과를 찾을 수 없습니다.")
	}
	delete(a.certs, id)
	return okResult(ct.wire())
}
