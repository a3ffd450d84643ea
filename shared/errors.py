"""The error catalogue (architecture §7): one frozen list of codes, each with its HTTP status and a
message in Kazakh, Russian and English, and the one exception every service raises for them.

Like X-Road's fault-code catalogue, a code never changes meaning once published: clients and
integration testers branch on it. Add codes; never rename or reuse one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One catalogue entry: the HTTP status it maps to, its message in each language, and whether it
    is transient — an outage that may pass (a message failing with it is retried, never refused)."""

    status: int
    kk: str
    ru: str
    en: str
    transient: bool = False

    def message(self, language: str) -> str:
        return str(getattr(self, language if language in LANGUAGES else DEFAULT_LANGUAGE))


CATALOGUE: dict[str, ErrorSpec] = {
    # --- requests and transport -------------------------------------------------------------
    "NOT_FOUND": ErrorSpec(
        404, "Сұралған ресурс табылмады", "Запрошенный ресурс не найден", "The requested resource was not found"
    ),
    "METHOD_NOT_ALLOWED": ErrorSpec(
        405, "Бұл әдіске рұқсат жоқ", "Метод не разрешён", "This method is not allowed on this resource"
    ),
    "REQUEST_MALFORMED": ErrorSpec(
        422,
        "Сұрау денесі жарамды JSON емес",
        "Тело запроса не является корректным JSON",
        "The request body is not well-formed JSON",
    ),
    "VALIDATION_FAILED": ErrorSpec(
        422,
        "Сұрау деректері тексеруден өтпеді",
        "Данные запроса не прошли проверку",
        "The request data failed validation",
    ),
    "REQUEST_TOO_LARGE": ErrorSpec(
        413,
        "Сұрау денесі рұқсат етілген көлемнен үлкен",
        "Тело запроса превышает допустимый размер",
        "The request body is larger than allowed",
    ),
    "UNAUTHORIZED": ErrorSpec(401, "Аутентификация қажет", "Требуется аутентификация", "Authentication is required"),
    "FORBIDDEN": ErrorSpec(403, "Қол жеткізуге тыйым салынған", "Доступ запрещён", "Access is forbidden"),
    "MESSAGE_UNAUTHENTICATED": ErrorSpec(
        403,
        "Хабарламаға жіберушінің жүйелік сертификатымен қол қойылмаған",
        "Сообщение не подписано системным сертификатом отправителя",
        "The message is not signed by its sender's system certificate",
    ),
    "SENDER_NOT_ALLOWED": ErrorSpec(
        403,
        "Жіберуші мұндай хабарлама жібере алмайды",
        "Отправитель не вправе отправлять такое сообщение",
        "The sender may not send this kind of message",
    ),
    "CONFLICT": ErrorSpec(
        409,
        "Сұрау ресурстың ағымдағы күйіне қайшы келеді",
        "Запрос противоречит текущему состоянию ресурса",
        "The request conflicts with the current state of the resource",
    ),
    "SERVICE_UNAVAILABLE": ErrorSpec(
        503,
        "Қызмет уақытша қолжетімсіз",
        "Сервис временно недоступен",
        "The service is temporarily unavailable",
        transient=True,
    ),
    "UPSTREAM_TIMEOUT": ErrorSpec(
        504,
        "Сыртқы жүйе белгіленген уақытта жауап бермеді",
        "Внешняя система не ответила вовремя",
        "An upstream system did not answer in time",
        transient=True,
    ),
    "UPSTREAM_ERROR": ErrorSpec(
        502,
        "Сыртқы жүйе қатемен жауап берді",
        "Внешняя система ответила ошибкой",
        "An upstream system answered with an error",
        transient=True,
    ),
    "INTERNAL_ERROR": ErrorSpec(
        500,
        "Ішкі қате; өтініш сақталды, кейінірек қайталаңыз",
        "Внутренняя ошибка; повторите позже",
        "Internal error; please try again later",
    ),
    # --- electronic digital signature (ЭЦҚ), §18 Condition 2 / Process 4 ----------------
    "EDS_MALFORMED": ErrorSpec(
        422,
        "Электрондық құжат құрылымы бұзылған",
        "Электронный документ имеет неверную структуру",
        "The signed e-document is malformed",
    ),
    "EDS_ALG_NOT_ALLOWED": ErrorSpec(
        422,
        "Қолтаңба алгоритміне рұқсат жоқ",
        "Алгоритм подписи не разрешён",
        "The signature algorithm is not allowed",
    ),
    "EDS_SIGNATURE_INVALID": ErrorSpec(
        422, "ЭЦҚ жарамсыз", "ЭЦП недействительна", "The electronic signature is invalid"
    ),
    "EDS_CERT_UNTRUSTED": ErrorSpec(
        422,
        "Сертификат сенімді куәландырушы орталықпен берілмеген",
        "Сертификат выдан недоверенным удостоверяющим центром",
        "The certificate does not chain to a trusted certification authority",
    ),
    "EDS_CERT_NOT_YET_VALID": ErrorSpec(
        422,
        "Сертификаттың қолданылу мерзімі әлі басталмаған",
        "Срок действия сертификата ещё не наступил",
        "The certificate is not yet valid",
    ),
    "EDS_CERT_EXPIRED": ErrorSpec(
        422,
        "Сертификаттың қолданылу мерзімі өткен",
        "Срок действия сертификата истёк",
        "The certificate has expired",
    ),
    "EDS_CERT_REVOKED": ErrorSpec(
        422,
        "Сертификат кері қайтарылған",
        "Сертификат отозван",
        "The certificate has been revoked",
    ),
    "EDS_REVOCATION_UNKNOWN": ErrorSpec(
        503,
        "Сертификаттың кері қайтарылу мәртебесін тексеру мүмкін болмады",
        "Не удалось проверить статус отзыва сертификата",
        "The certificate's revocation status could not be checked",
        transient=True,
    ),
    "EDS_WRONG_KEY_USAGE": ErrorSpec(
        422,
        "Сертификат бұл мақсатқа арналмаған (қол қою / аутентификация)",
        "Сертификат не предназначен для этой цели (подпись / аутентификация)",
        "The certificate's key usage does not fit this purpose (signing / authentication)",
    ),
    "EDS_IIN_MISMATCH": ErrorSpec(
        422,
        "Сұраудағы ЖСН сертификаттағы ЖСН-ге сәйкес келмейді",
        "ИИН в запросе не совпадает с ИИН в сертификате",
        "The IIN in the request does not equal the IIN in the certificate",
    ),
    "EDS_PURPOSE_INVALID": ErrorSpec(
        422,
        "Қолтаңба рөлі немесе мақсаты жарамсыз",
        "Недопустимая роль или назначение подписи",
        "The signature's role or purpose is not valid here",
    ),
    # --- the test certification authority (ҰКО) ------------------------------------------------
    "NCA_TEST_MODE_REQUIRED": ErrorSpec(
        403,
        "Бұл әрекет тек сынақ режимінде рұқсат етілген",
        "Это действие разрешено только в тестовом режиме",
        "This is allowed only in the certification authority's test mode",
    ),
    "NCA_RA_TOKEN_REQUIRED": ErrorSpec(
        403,
        "Тіркеу орталығының рұқсаты қажет",
        "Требуется разрешение центра регистрации",
        "A registration authority token is required for this certificate",
    ),
    "CERTIFICATE_NOT_FOUND": ErrorSpec(404, "Сертификат табылмады", "Сертификат не найден", "No such certificate"),
    "CERTIFICATE_ALREADY_REVOKED": ErrorSpec(
        409,
        "Сертификат бұрын кері қайтарылған",
        "Сертификат уже отозван",
        "The certificate is already revoked",
    ),
    "PUBLIC_KEY_INVALID": ErrorSpec(
        422,
        "Ашық кілт жарамсыз немесе қолдау көрсетілмейді (RSA 2048–4096 бит немесе P-256)",
        "Открытый ключ недействителен или не поддерживается (RSA 2048–4096 бит или P-256)",
        "The public key is invalid or not supported (RSA of 2048 to 4096 bits, or P-256)",
    ),
    # --- identity and authorization (§18 Condition 1 / Process 2) -------------------------
    "AUTH_INVALID_CREDENTIALS": ErrorSpec(
        401,
        "Деректер қате болғандықтан авторизациядан бас тартылды",
        "Отказ в авторизации: неверные данные",
        "Authorization refused: the credentials are wrong",
    ),
    "AUTH_LOCKED": ErrorSpec(
        423,
        "Тіркелгі уақытша бұғатталған",
        "Учётная запись временно заблокирована",
        "The account is temporarily locked",
    ),
    "IIN_INVALID": ErrorSpec(422, "ЖСН жарамсыз", "ИИН недействителен", "The IIN is not valid"),
    "BIN_INVALID": ErrorSpec(422, "БСН жарамсыз", "БИН недействителен", "The BIN is not valid"),
    "PERSON_NOT_FOUND": ErrorSpec(
        404,
        "Жеке тұлғалар дерекқорында мұндай адам жоқ",
        "Лицо не найдено в базе данных физических лиц",
        "No such person in the individuals database",
    ),
    "POA_NOT_FOUND": ErrorSpec(
        404,
        "Сенімхат табылмады",
        "Доверенность не найдена",
        "No such power of attorney",
    ),
    "POA_EXPIRED": ErrorSpec(
        422,
        "Сенімхаттың мерзімі өткен",
        "Срок доверенности истёк",
        "The power of attorney has expired",
    ),
    "POA_REVOKED": ErrorSpec(
        422,
        "Сенімхат кері қайтарылған",
        "Доверенность отозвана",
        "The power of attorney has been revoked",
    ),
    "POA_NOT_APPLICABLE": ErrorSpec(
        422,
        "Сенімхат бұл өкілге, бұл алушының атынан немесе бұл қызметке берілмеген",
        "Доверенность выдана не этому представителю, не от этого получателя или не на эту услугу",
        "The power of attorney does not name this representative and recipient, or does not cover this service",
    ),
    "IDENTITY_NOT_PROVEN": ErrorSpec(
        403,
        "Жеке басыңыз расталмаған: ЭЦҚ-мен немесе мобильді азаматтар базасындағы нөмірге жіберілген бір реттік "
        "SMS-кодпен кіріңіз",
        "Личность не подтверждена: войдите с ЭЦП или одноразовым SMS-кодом на номер из базы мобильных граждан",
        "Your identity is not proven: sign in with your EDS or a one-time SMS code sent to the number in the "
        "mobile citizens database",
    ),
    "MOBILE_PHONE_NOT_FOUND": ErrorSpec(
        404,
        "Мобильді азаматтар базасында бұл ЖСН-ге тіркелген ұялы телефон нөмірі жоқ",
        "В базе мобильных граждан нет номера мобильного телефона для этого ИИН",
        "The mobile citizens database holds no mobile number for this IIN",
    ),
    "SMS_CODE_INVALID": ErrorSpec(
        401,
        "Бір реттік код қате",
        "Неверный одноразовый код",
        "The one-time code is wrong",
    ),
    "SMS_CODE_EXPIRED": ErrorSpec(
        401,
        "Жарамды бір реттік код жоқ (мерзімі өткен, пайдаланылған немесе тым көп қате енгізілген): жаңасын сұраңыз",
        "Нет действующего одноразового кода (истёк, использован или аннулирован после неверных попыток): "
        "запросите новый",
        "There is no valid one-time code (it expired, was used, or was voided after too many wrong tries): ask for "
        "a new one",
    ),
    "SMS_CODE_RATE_LIMITED": ErrorSpec(
        429,
        "Бұл ЖСН-ге тым көп код жіберілді: кейінірек қайталаңыз",
        "Для этого ИИН отправлено слишком много кодов: повторите позже",
        "Too many codes were sent for this IIN: try again later",
    ),
    "CONSENT_REQUIRED": ErrorSpec(
        403,
        "Заңмен қорғалатын құпияны пайдалануға келісім қажет (§14)",
        "Требуется согласие на использование охраняемой законом тайны (§14)",
        "Consent to use legally protected information is required (§14)",
    ),
    "CONSENT_INVALID": ErrorSpec(
        403,
        "Келісім расталмады: ол қол қойылған келісім емес, қолтаңбасы тексерілмейді немесе оған басқа біреу қол қойған",
        "Согласие не подтверждено: это не подписанное согласие, подпись не проходит проверку или подписал не тот",
        "The consent does not hold: it is not a signed consent, its signature does not verify, or the wrong party "
        "signed it",
    ),
    "CONSENT_EXPIRED": ErrorSpec(
        403,
        "Келісімнің мерзімі өтті",
        "Срок действия согласия истёк",
        "The consent has expired",
    ),
    "CONSENT_NOT_APPLICABLE": ErrorSpec(
        403,
        "Келісім бұл сұраушыға немесе бұл адам туралы сұрауға берілмеген",
        "Согласие дано не этому запрашивающему или не на запрос об этом лице",
        "The consent was not given to this requester, or for a query about this person",
    ),
    # --- the service itself -------------------------------------------------------------------
    "DOCS_INCOMPLETE": ErrorSpec(
        422,
        "Құжаттар топтамасы толық емес",
        "Пакет документов неполный",
        "The set of documents is incomplete",
    ),
    "DUPLICATE_APPLICATION": ErrorSpec(
        409,
        "Сізде қаралып жатқан өтініш бар немесе сіз кезектесіз",
        "У вас уже есть заявление на рассмотрении или вы уже в очереди",
        "An application is already pending, or you are already in the queue",
    ),
}


class AppError(Exception):
    """A failure with a catalogue code. Raised anywhere; rendered by `shared.api.errors`."""

    def __init__(self, code: str, details: dict[str, Any] | None = None, *, status: int | None = None):
        if code not in CATALOGUE:
            raise KeyError(f"unknown error code {code!r}: add it to shared.errors.CATALOGUE")
        super().__init__(code)
        self.code = code
        self.details = details or {}
        self.status = status or CATALOGUE[code].status

    def body(self, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        """The JSON error body of architecture §7."""
        return error_body(self.code, language, self.details)


def is_transient(code: str) -> bool:
    """True for the catalogue's transient codes (see `ErrorSpec.transient`)."""
    spec = CATALOGUE.get(code)
    return spec is not None and spec.transient


def error_body(code: str, language: str = DEFAULT_LANGUAGE, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": CATALOGUE[code].message(language), "details": details or {}}}


def pick_language(accept_language: str | None) -> str:
    """The first of kk/ru/en named in an Accept-Language header (by q-value), Kazakh by default."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANGUAGE
