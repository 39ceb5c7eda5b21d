"""The product's journeys in a real browser, one after the other, as the clinic lives them.

1. A new patient registers on a phone, fills the whole intake (leaving half-way and coming
   back on another phone), signs and submits.
2. A clinician logs in with the second factor, finds the intake in the queue, reads the flags
   and clears one treatment with a condition.
3. The patient books the cleared treatment; the front desk sees it in the calendar; on the
   day, the check-in re-confirmation lets the treatment go ahead.
4. A patient allergic to lidocaine (writing "Xylocaine", on a Vietnamese phone) asks for
   SKINVIVE, is flagged, and cannot book it while no clinician has decided.
5. The front desk cannot open a medical history.

Each journey builds on the ones before (the `story`); pytest runs them in this order. Every
page goes through `look.at` (axe-core, the Tab walk, a screenshot).
"""

import re
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, Look, Server

PASSPHRASE = "a quiet river at dawn 2026"
MESO_FACE = "Vitamin mesotherapy cocktail (lidocaine-free) — Face (whole)"
RECHECK = "Practitioner re-checks the skin at the area before treating"
SKIN_BOOSTER_VI = "Tiêm dưỡng chất cho da (skin booster) bằng axit hyaluronic"


# --- Helpers ------------------------------------------------------------------------------


def field(page: Page | Locator, label: str) -> Locator:
    """The control a visible label names (crispy adds '*' to required ones)."""
    return page.get_by_label(re.compile(r"^\s*" + re.escape(label) + r"\s*\*?\s*$"))


def choose(page: Page | Locator, question: str, answer: str) -> None:
    """Tick the radio button `answer` of the group `question`."""
    group = page.get_by_role("group", name=re.compile(r"^\s*" + re.escape(question)))
    group.get_by_label(answer, exact=True).check()


def button(page: Page | Locator, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def tab_to(page: Page, matches: str, *, limit: int = 80) -> None:
    """Press Tab from the top of the main content until `matches(activeElement)` holds."""
    page.focus("main")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const e = document.activeElement; return {matches}; }}"):
            return
    raise AssertionError(f"Tab never reached an element where {matches}")


def keyboard_choose(page: Page, name: str, label: str) -> None:
    """Pick the radio button `label` of group `name` with Tab and the arrow keys alone."""
    tab_to(page, f"e.name === {name!r}")
    for _ in range(10):
        focused = page.evaluate("() => document.activeElement.labels[0].innerText.trim()")
        if focused == label:
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no {label!r} in the {name!r} group")


def save_and_continue(page: Page) -> None:
    button(page, "Save and continue").click()
    expect(page.locator("#error-summary")).to_have_count(0)


def log_in(
    page: Page, email: str, password: str = DEMO_PASSWORD, *, look: Look | None = None
) -> None:
    page.goto("/accounts/login/")
    if look is not None:
        look.at(page, f"login-{email.split('@')[0]}")
    field(page, "Email address").fill(email)
    field(page, "Password").fill(password)
    button(page, "Log in").click()


def log_in_staff(page: Page, look: Look, server: Server, email: str, name: str) -> None:
    log_in(page, email, look=look)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    look.at(page, f"{name}-second-factor")
    field(page, "Code").fill(server.code(email))
    button(page, "Continue").click()


@pytest.fixture(autouse=True)
def _no_new_accessibility_problems(look: Look) -> Any:
    """Each journey answers for the pages it looked at."""
    before = len(look.problems)
    yield
    new = look.problems[before:]
    assert new == [], "\n".join(new)


# --- 1. A new patient -----------------------------------------------------------------------


def test_1_a_new_patient_registers_fills_the_intake_leaving_half_way_and_submits(
    new_page: Any, look: Look, story: dict[str, Any]
) -> None:
    email = "mai.tran@example.com"
    page = new_page("phone")
    page.goto("/")
    look.at(page, "home-phone")
    page.get_by_role("link", name="Start my intake").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    look.at(page, "register-phone")

    # With the keyboard alone: Tab from the top of the page, type, Enter.
    page.focus("main")
    for text in ("Mai Tran", email, PASSPHRASE, PASSPHRASE):
        page.keyboard.press("Tab")
        page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", name="My medical history and treatment wishes")
    ).to_be_visible()
    look.at(page, "intake-home-phone")
    button(page, "Start my intake").click()

    # What she would like: two treatments.
    look.at(page, "intake-treatments-phone", full_page=False)
    row = page.locator("fieldset, .request-row").first
    field(page, "Treatment").select_option(label="Mesotherapy")
    field(page, "Product, if you know it").select_option(
        label="Vitamin mesotherapy cocktail (lidocaine-free)"
    )
    field(page, "Area").select_option(label="Face (whole)")
    field(page, "Main goal").select_option(label="Hydration")
    del row
    save_and_continue(page)

    # About her: a wrong phone number first. The error is announced and nothing typed is lost.
    look.at(page, "intake-about-phone")
    field(page, "Date of birth").fill("1992-05-14")
    choose(page, "Sex at birth", "Female")
    field(page, "Mobile phone").fill("call me")
    button(page, "Save and continue").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    phone = field(page, "Mobile phone")
    expect(phone).to_have_attribute("aria-invalid", "true")
    described = phone.get_attribute("aria-describedby") or ""
    assert any(
        "phone number" in (page.locator(f"#{i}").inner_text() or "")
        for i in described.split()
        if page.locator(f"#{i}").count()
    ), described
    expect(field(page, "Date of birth")).to_have_value("1992-05-14")
    look.at(page, "intake-about-error-phone", full_page=False)
    phone.fill("0901 234 567")
    save_and_continue(page)

    # Allergies: none.
    look.at(page, "intake-allergies-phone")
    choose(page, "Do you have any allergies?", "No")
    choose(page, "Have you ever had anaphylaxis", "No")
    save_and_continue(page)

    # Half-way: she saves and leaves, and closes the browser.
    look.at(page, "intake-medicines-phone")
    button(page, "Save and finish later").click()
    look.at(page, "intake-saved-for-later-phone")
    page.context.close()

    # Later, on another phone: she logs in and carries on where she stopped.
    page = new_page("phone")
    log_in(page, email, PASSPHRASE, look=look)
    expect(
        page.get_by_role("heading", name="My medical history and treatment wishes")
    ).to_be_visible()
    look.at(page, "intake-resume-phone")
    page.get_by_role("link", name="Continue").first.click()
    expect(page.get_by_role("heading", name="Medicines")).to_be_visible()
    choose(page, "Do you take any medicines or supplements?", "No")
    choose(page, "Have you taken isotretinoin", "No, never or more than 6 months ago")
    choose(page, "In the last 2 weeks, have you been ill", "No")
    save_and_continue(page)

    look.at(page, "intake-conditions-phone")
    page.get_by_label("None of these").check()
    save_and_continue(page)

    # A whole step with the keyboard alone: Tab into the group, arrows, Space, Enter.
    look.at(page, "intake-pregnancy-phone")
    keyboard_choose(page, "pregnancy", "No")
    tab_to(page, "e.textContent.trim() === 'Save and continue'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your skin today")).to_be_visible()

    look.at(page, "intake-skin-phone")
    page.get_by_label("No, the skin there is clear").first.check()
    save_and_continue(page)

    look.at(page, "intake-history-phone")
    choose(page, "In the last 12 months, have you had injections", "No")
    save_and_continue(page)

    look.at(page, "intake-consent-phone")
    page.get_by_label("I have read this consent and I agree to it.").check()
    field(page, "Type your full name to sign").fill("Mai Tran")
    button(page, "Sign and continue").click()

    look.at(page, "intake-review-phone")
    button(page, "Send my answers to the clinic").click()
    expect(page.get_by_text("sent", exact=False).first).to_be_visible()
    look.at(page, "intake-submitted-phone", full_page=False)
    story["patient_email"] = email


# --- 2. The clinician -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def clinician(new_page: Any, look: Look, server: Server) -> Page:
    page = new_page("desktop")
    log_in_staff(page, look, server, "clinician@example.com", "clinician")
    return page


def test_2_a_clinician_finds_the_intake_reads_the_flags_and_clears_with_a_condition(
    clinician: Page, look: Look, story: dict[str, Any]
) -> None:
    if "patient_email" not in story:
        pytest.skip("needs journey 1")
    page = clinician
    page.goto("/review/")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    look.at(page, "review-queue-desktop", full_page=False)
    page.get_by_role("link", name="MT, age 34").click()
    expect(page.get_by_role("heading", name="Mai Tran · 34 years old")).to_be_visible()
    look.at(page, "review-case-desktop")
    story["case_url"] = page.url

    # The flags beside the answers: this request screened clear.
    request = page.get_by_role("region", name=MESO_FACE)
    expect(request.get_by_text("Screening: clear")).to_be_visible()
    choose(request, "Decision", "Clear")
    request.get_by_label(RECHECK).check()
    field(request, "Message to the patient (optional)").fill("Come with clean skin, no make-up.")
    look.at(page, "review-decision-desktop", full_page=False)
    button(request, "Record decision").click()
    decided = page.get_by_role("region", name=MESO_FACE)
    expect(decided.get_by_text(f"Conditions: {RECHECK}")).to_be_visible()
    look.at(page, "review-decided-desktop")


# --- 3. Booking, the calendar, the day ------------------------------------------------------


@pytest.fixture(scope="module")
def front_desk(new_page: Any, look: Look, server: Server) -> Page:
    page = new_page("desktop")
    log_in_staff(page, look, server, "frontdesk@example.com", "front-desk")
    return page


def test_3_the_patient_books_the_desk_sees_it_and_the_day_checks_in(
    new_page: Any, front_desk: Page, look: Look, story: dict[str, Any]
) -> None:
    if "case_url" not in story:
        pytest.skip("needs journeys 1 and 2")
    page = new_page("phone")
    log_in(page, story["patient_email"], PASSPHRASE, look=look)
    page.goto("/appointments/")
    expect(page.get_by_role("heading", name="My appointments")).to_be_visible()
    look.at(page, "booking-mine-phone")
    page.get_by_role("link", name=f"Book {MESO_FACE}").click()
    expect(page.get_by_role("heading", name=f"Book {MESO_FACE}")).to_be_visible()
    expect(page.get_by_text(RECHECK)).to_be_visible()  # the clinician's condition
    first_day = page.locator("details.slot-day").first
    expect(first_day.locator("summary")).to_contain_text("Mon 7 December")
    first_day.get_by_text("09:00", exact=True).first.click()
    look.at(page, "booking-slots-phone", full_page=False)
    button(page, "Book this time").click()
    expect(page.get_by_text("Monday, 7 December 2026, 09:00").first).to_be_visible()
    look.at(page, "booking-appointment-phone")
    story["appointment_url"] = page.url

    # The front desk sees it in the day's calendar.
    desk = front_desk
    desk.goto("/desk/calendar/?view=day&date=2026-12-07")
    appointment = desk.locator(".cal-appt", has_text="Mai Tran")
    expect(appointment).to_contain_text("09:00")
    expect(appointment).to_contain_text(MESO_FACE)
    look.at(desk, "booking-calendar-desktop", full_page=False)

    # On the day, at the desk: the answers that change quickly, asked again.
    desk.goto("/desk/")
    look.at(desk, "desk-today-desktop")
    desk.locator("li", has_text="Mai Tran").get_by_role("link", name="Check in").click()
    expect(desk.get_by_role("heading", name="Check-in")).to_be_visible()
    choose(desk, "Since you answered the questions, have you become pregnant", "No")
    choose(desk, "Today, is there any infection", "No")
    choose(desk, "Since you answered the questions, have you started any new medicines", "No")
    look.at(desk, "desk-check-in-desktop")
    button(desk, "Confirm the answers").click()
    expect(desk.get_by_text("Checked in", exact=False).first).to_be_visible()
    look.at(desk, "desk-checked-in-desktop")


# --- 4. A lidocaine allergy, in Vietnamese ---------------------------------------------------


def vi(english: str) -> str:
    """The Vietnamese the page shows for `english` (the app's own catalog, which must have it)."""
    with translation.override("vi"):
        text = translation.gettext(english)
    assert text != english, f"no Vietnamese for {english!r}"
    return text


def test_4_a_patient_allergic_to_lidocaine_asking_for_skinvive_is_flagged_and_cannot_book(
    new_page: Any, clinician: Page, front_desk: Page, look: Look, story: dict[str, Any]
) -> None:
    email = "lan.pham@example.com"
    page = new_page("phone", locale="vi-VN")
    page.goto("/accounts/register/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    look.at(page, "register-phone-vi")
    field(page, "Họ và tên").fill("Phạm Thị Lan")
    field(page, "Địa chỉ email").fill(email)
    field(page, "Mật khẩu").fill(PASSPHRASE)
    field(page, "Nhập lại mật khẩu").fill(PASSPHRASE)
    page.locator("main form").get_by_role("button", name=vi("Create my account")).click()
    button(page, "Bắt đầu phiếu khai báo").click()

    field(page, vi("Treatment")).select_option(label=SKIN_BOOSTER_VI)
    field(page, vi("Product, if you know it")).select_option(label="SKINVIVE by JUVÉDERM")
    field(page, vi("Area")).select_option(label="Má")
    field(page, vi("Main goal")).select_option(label=vi("Skin texture and smoothness"))
    look.at(page, "intake-treatments-phone-vi")
    button(page, vi("Save and continue")).click()

    field(page, vi("Date of birth")).fill("1988-03-02")
    choose(page, vi("Sex at birth"), vi("Female"))
    field(page, vi("Mobile phone")).fill("0912 345 678")
    button(page, vi("Save and continue")).click()

    # In her own words: "Xylocaine" is lidocaine.
    choose(page, vi("Do you have any allergies?"), vi("Yes"))
    field(page, vi("Other allergies")).fill("Xylocaine — sưng họng khi đi nha sĩ")
    choose(
        page,
        vi("What was your worst allergic reaction?"),
        vi("Severe: swelling of the face, lips or throat, or trouble breathing"),
    )
    choose(page, vi("Have you ever had anaphylaxis (a sudden severe allergic reaction)?"), "Không")
    choose(page, vi("Do you have more than one severe allergy?"), "Không")
    look.at(page, "intake-allergies-phone-vi")
    button(page, vi("Save and continue")).click()

    choose(page, vi("Do you take any medicines or supplements?"), "Không")
    choose(
        page,
        vi("Have you taken isotretinoin (Roaccutane, Accutane) for acne?"),
        vi("No, never or more than 6 months ago"),
    )
    choose(
        page,
        vi("In the last 2 weeks, have you been ill, had a vaccination or had dental work?"),
        "Không",
    )
    button(page, vi("Save and continue")).click()
    page.get_by_label(vi("None of these")).check()
    button(page, vi("Save and continue")).click()
    choose(page, vi("Are you pregnant, breastfeeding or trying to conceive?"), "Không")
    button(page, vi("Save and continue")).click()
    page.get_by_label(vi("No, the skin there is clear")).first.check()
    button(page, vi("Save and continue")).click()
    choose(
        page,
        vi("In the last 12 months, have you had injections or other treatments in these areas?"),
        "Không",
    )
    button(page, vi("Save and continue")).click()

    # The consent she signs is the Vietnamese text.
    expect(page.get_by_text("Bản đồng ý điều trị", exact=False).first).to_be_visible()
    look.at(page, "intake-consent-phone-vi")
    page.get_by_label(vi("I have read this consent and I agree to it.")).check()
    field(page, vi("Type your full name to sign")).fill("Phạm Thị Lan")
    button(page, vi("Sign and continue")).click()

    # Before sending, she is told kindly that SKINVIVE contains lidocaine.
    expect(page.get_by_text("lidocaine", exact=False).first).to_be_visible()
    look.at(page, "intake-review-phone-vi")
    button(page, vi("Send my answers to the clinic")).click()
    look.at(page, "intake-submitted-phone-vi")

    # Nothing to book: no clinician has decided.
    page.goto("/appointments/")
    expect(page.get_by_role("heading", name=vi("My appointments"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"SKINVIVE"))).to_have_count(0)
    look.at(page, "booking-mine-phone-vi")

    # The front desk finds her: not cleared, no way to book.
    desk = front_desk
    desk.goto("/desk/?q=Lan")
    desk.get_by_role("link", name=re.compile("Phạm Thị Lan")).first.click()
    expect(desk.get_by_role("link", name=re.compile("^Book"))).to_have_count(0)
    expect(desk.get_by_text("Xylocaine", exact=False)).to_have_count(0)
    look.at(desk, "desk-patient-not-cleared-desktop")
    story["vi_patient_desk_url"] = desk.url

    # The clinician sees the block flag beside the answer that raised it.
    clinician.goto("/review/?severity=block")
    row = clinician.locator("li, article, .card", has_text="PTL, age 38").first
    expect(row).to_contain_text("LIDO-AMIDE-BLOCK")
    look.at(clinician, "review-queue-blocked-desktop", full_page=False)
    row.get_by_role("link", name="PTL, age 38").click()
    expect(clinician.get_by_text("LIDO-AMIDE-BLOCK").first).to_be_visible()
    expect(clinician.get_by_text("xylocaine", exact=False).first).to_be_visible()
    look.at(clinician, "review-case-blocked-desktop")
    story["blocked_case_url"] = clinician.url


# --- 5. The front desk and medical history ---------------------------------------------------


def test_5_the_front_desk_cannot_open_a_medical_history(
    front_desk: Page, look: Look, story: dict[str, Any]
) -> None:
    if "blocked_case_url" not in story or "case_url" not in story:
        pytest.skip("needs journeys 1, 2 and 4")
    desk = front_desk
    for url in (story["case_url"], story["blocked_case_url"]):
        response = desk.goto(url)
        assert response is not None
        assert response.status == 403, url
        expect(desk.get_by_text("Xylocaine", exact=False)).to_have_count(0)
        expect(desk.get_by_text("LIDO-AMIDE", exact=False)).to_have_count(0)
    look.at(desk, "desk-refused-medical-history-desktop")
    # The review queue is not theirs either, and their menu does not offer it.
    assert desk.goto("/review/").status == 403
    desk.goto("/desk/")
    expect(desk.get_by_role("link", name="Review queue")).to_have_count(0)


def test_every_page_the_journeys_visited_was_checked(look: Look) -> None:
    unchecked = sorted(look.visited - look.looked)
    # Redirect-only stops (a POST answered with 302) are never rendered; everything shown was.
    assert unchecked == [], unchecked
