"""The seeded catalog in Vietnamese: what a patient reads about each area, treatment and product.

The English texts stay in their fields (the source of truth for screening and records); these
fill `translations["vi"]`. An admin edits them in the catalog admin. Frozen here as data, as
0002 froze the English catalog; rows an admin has since changed or removed are left alone.
"""

from django.db import migrations

VIETNAMESE = {
    "area": {
        "abdomen": {"name": "Bụng"},
        "arms": {"name": "Cánh tay trên (bắp tay)"},
        "buttocks": {"name": "Mông"},
        "cheeks": {"name": "Má"},
        "chin": {"name": "Cằm"},
        "decolletage": {"name": "Vùng ngực trên (décolleté)"},
        "face": {"name": "Mặt (toàn bộ)"},
        "forehead": {"name": "Trán"},
        "hands": {"name": "Mu bàn tay"},
        "jawline": {"name": "Đường viền hàm"},
        "lips": {"name": "Môi"},
        "nasolabial": {"name": "Rãnh mũi má"},
        "neck": {"name": "Cổ"},
        "perioral": {"name": "Vùng quanh miệng"},
        "periorbital": {"name": "Vùng quanh mắt"},
        "scalp": {"name": "Da đầu"},
        "submental": {"name": "Vùng dưới cằm"},
        "thighs": {"name": "Đùi"},
    },
    "ingredient": {
        "amino_acids": {"name": "Axit amin"},
        "artichoke_extract": {"name": "Chiết xuất atiso"},
        "benzyl_alcohol": {"name": "Benzyl alcohol (chất bảo quản)"},
        "caffeine": {"name": "Caffeine"},
        "deoxycholate": {"name": "Deoxycholate (natri deoxycholate)"},
        "deoxycholic_acid": {"name": "Axit deoxycholic"},
        "hyaluronic_acid": {"name": "Axit hyaluronic (không liên kết chéo)"},
        "hyaluronic_acid_bacterial": {
            "name": "Axit hyaluronic (sản xuất bằng phương pháp lên men vi khuẩn)"
        },
        "lidocaine": {"name": "Lidocaine (thuốc gây tê tại chỗ)"},
        "phosphatidylcholine": {"name": "Phosphatidylcholine"},
        "procaine": {"name": "Procaine (thuốc gây tê tại chỗ)"},
        "vitamins": {"name": "Vitamin"},
    },
    "product": {
        "juvederm-volbella-xc": {
            "evidence_summary": "Được FDA chấp thuận cho các vùng đã "
            "liệt kê. Tính an toàn và hiệu quả "
            "đã được chứng minh trong các nghiên "
            "cứu lâm sàng cho các vùng này ở "
            "người lớn trên 21 tuổi.",
            "name": "JUVÉDERM VOLBELLA XC",
            "regulatory_note": "Được FDA chấp thuận để làm đầy môi "
            "và điều trị nếp nhăn quanh miệng ở "
            "người lớn trên 21 tuổi.",
        },
        "juvederm-voluma-xc": {
            "evidence_summary": "Được FDA chấp thuận cho các vùng đã "
            "liệt kê. Tính an toàn và hiệu quả đã "
            "được chứng minh trong các nghiên cứu "
            "lâm sàng cho các vùng này ở người lớn "
            "trên 21 tuổi.",
            "name": "JUVÉDERM VOLUMA XC",
            "regulatory_note": "Được FDA chấp thuận để tạo thể tích "
            "cho vùng má, cằm và đường viền hàm ở "
            "người lớn trên 21 tuổi.",
        },
        "kybella": {
            "evidence_summary": "Bằng chứng mức độ I (các thử nghiệm ngẫu nhiên "
            "có đối chứng) đối với mỡ vùng dưới cằm. Tối đa 6 "
            "buổi, các buổi cách nhau ít nhất 1 tháng.",
            "name": "Kybella",
            "regulatory_note": "Chỉ được FDA chấp thuận cho mỡ vùng dưới cằm "
            "(submental fat) ở mức độ trung bình đến nặng ở "
            "người lớn. Không khuyến cáo dùng ở các vùng "
            "khác.",
        },
        "lipo-dissolve": {
            "evidence_summary": "Không có đủ bằng chứng về tính an toàn hoặc hiệu quả.",
            "name": 'Hỗn hợp "lipo-dissolve" phosphatidylcholine/deoxycholate',
            "regulatory_note": "Không được chấp thuận. FDA cảnh báo rằng "
            "các thuốc tiêm tan mỡ không được chấp thuận "
            "đã gây sẹo, nhiễm trùng nghiêm trọng và "
            "biến dạng da. Phòng khám không cung cấp sản "
            "phẩm này; sản phẩm chỉ được liệt kê để có "
            "thể nhận biết và sàng lọc.",
        },
        "meso-body": {
            "evidence_summary": "Yếu. Có rất ít nghiên cứu ủng hộ; Học viện Da "
            "liễu Hoa Kỳ (American Academy of Dermatology) "
            "xếp tiêm meso vào danh sách các phương pháp "
            "điều trị cellulite mà tổ chức này không khuyến "
            "cáo.",
            "name": "Hỗn hợp tiêm meso cho cơ thể",
            "regulatory_note": "Không được FDA chấp thuận. Học viện Da liễu Hoa "
            "Kỳ (American Academy of Dermatology) không "
            "khuyến cáo tiêm meso để điều trị cellulite (da "
            "sần vỏ cam).",
        },
        "meso-procaine": {
            "evidence_summary": "Còn hạn chế và chưa thống nhất, tương tự "
            "các hỗn hợp tiêm meso khác.",
            "name": "Hỗn hợp tiêm meso có chứa procaine",
            "regulatory_note": "Không phải sản phẩm được FDA chấp thuận. Có "
            "chứa procaine, một thuốc gây tê tại chỗ "
            "nhóm ester.",
        },
        "meso-vitamin": {
            "evidence_summary": "Còn hạn chế và chưa thống nhất; có ghi nhận "
            "cải thiện độ ẩm của da, chủ yếu dựa trên "
            "đánh giá chủ quan.",
            "name": "Hỗn hợp tiêm meso vitamin (không chứa lidocaine)",
            "regulatory_note": "Các hỗn hợp tiêm meso không phải là sản phẩm "
            "được FDA chấp thuận; phòng khám sẽ cho bạn "
            "biết chính xác thương hiệu và số lô sản phẩm "
            "đang dùng.",
        },
        "restylane-kysse": {
            "evidence_summary": "Được FDA chấp thuận cho các vùng đã liệt "
            "kê. Tính an toàn và hiệu quả đã được "
            "chứng minh trong các nghiên cứu lâm sàng "
            "cho các vùng này ở người lớn trên 21 "
            "tuổi.",
            "name": "Restylane Kysse",
            "regulatory_note": "Được FDA chấp thuận để làm đầy môi và "
            "điều trị nếp nhăn quanh miệng ở người lớn "
            "trên 21 tuổi.",
        },
        "skinvive": {
            "evidence_summary": "Da vùng má trông mịn hơn, hiệu quả kéo dài "
            "khoảng 6 tháng trong các nghiên cứu lâm sàng. "
            "Được tiêm dưới dạng vi giọt; không phải chất "
            "làm đầy (filler) tạo thể tích.",
            "name": "SKINVIVE by JUVÉDERM",
            "regulatory_note": "Được FDA chấp thuận để cải thiện độ mịn của da "
            "mặt vùng má ở người lớn trên 21 tuổi.",
        },
    },
    "treatment": {
        "dermal_filler": {
            "aftercare": "Giữ vùng điều trị sạch sẽ và không chạm vào "
            "trong 6 giờ. Không trang điểm lên vùng điều trị "
            "cho đến ngày hôm sau. Tránh nhiệt (xông hơi, "
            "yoga nóng), vận động gắng sức và rượu bia trong "
            "24 giờ. Dùng biện pháp chống nắng. Liên hệ ngay "
            "với phòng khám nếu vùng đỏ lan rộng, vùng điều "
            "trị trở nên nóng hoặc đau hơn, bạn thấy mủ hoặc "
            "nổi cục, hoặc bạn bị sốt.",
            "alternatives": "Tiêm dưỡng chất cho da (skin booster) để cải "
            "thiện chất lượng da, thuốc điều biến thần "
            "kinh cơ (neuromodulator) cho nếp nhăn động, "
            "các phương pháp phẫu thuật.",
            "description": "Gel axit hyaluronic liên kết chéo được tiêm "
            "sâu hơn so với tiêm dưỡng chất cho da (skin "
            "booster), nhằm bù thể tích hoặc tạo dáng cho "
            "môi, má, cằm hoặc đường viền hàm. Mục đích "
            "khác với tiêm meso.",
            "evidence_summary": "Các tiêu chuẩn về an toàn và kỹ thuật đã "
            "được thiết lập rõ ràng đối với các chất "
            "làm đầy được FDA chấp thuận, mỗi loại "
            "được chấp thuận cho những vùng cụ thể.",
            "name": "Tiêm chất làm đầy (filler)",
            "purpose": "Tạo thể tích, đường nét và làm mờ nếp nhăn.",
            "risks": "Mọi mũi tiêm vào da đều là một thủ thuật y khoa. "
            "Bạn nên lường trước các vết kim châm, đỏ da, sưng "
            "hoặc bầm tím trong vài ngày. Ít gặp hơn: phản ứng "
            "dị ứng, nổi cục kéo dài, đốm sẫm màu (tăng sắc tố), "
            "sẹo và nhiễm trùng, kể cả nhiễm trùng do vi khuẩn "
            "lao không điển hình (NTM) có thể phải điều trị bằng "
            "kháng sinh trong nhiều tháng. Hiếm gặp: tiêm vào "
            "mạch máu có thể gây tổn thương da (hoại tử). Chất "
            "làm đầy cũng có thể bị di chuyển, tạo thành nốt "
            "cục, hoặc làm tắc mạch máu; vì vậy chất làm đầy chỉ "
            "được tiêm bởi bác sĩ đã được đào tạo, có khả năng "
            "làm tan chất làm đầy khi cần.",
            "summary": "Tiêm axit hyaluronic ở lớp sâu hơn để bù lại thể tích và làm mờ nếp nhăn.",
        },
        "fat_dissolving": {
            "aftercare": "Giữ vùng điều trị sạch sẽ và không chạm vào "
            "trong 6 giờ. Không trang điểm lên vùng điều "
            "trị cho đến ngày hôm sau. Tránh nhiệt (xông "
            "hơi, yoga nóng), vận động gắng sức và rượu bia "
            "trong 24 giờ. Dùng biện pháp chống nắng. Liên "
            "hệ ngay với phòng khám nếu vùng đỏ lan rộng, "
            "vùng điều trị trở nên nóng hoặc đau hơn, bạn "
            "thấy mủ hoặc nổi cục, hoặc bạn bị sốt. Tình "
            "trạng sưng vùng dưới cằm có thể kéo dài vài "
            "ngày.",
            "alternatives": "Hủy mỡ bằng phương pháp làm lạnh "
            "(cryolipolysis), hút mỡ, kiểm soát cân "
            "nặng.",
            "description": "Axit deoxycholic phá hủy tế bào mỡ tại vị "
            "trí được tiêm. Kybella là thuốc tiêm tan mỡ "
            "duy nhất được FDA chấp thuận, và chỉ dành "
            "cho mỡ vùng dưới cằm. FDA cảnh báo không sử "
            "dụng các hỗn hợp tiêm tan mỡ không được chấp "
            "thuận ('lipo-dissolve').",
            "evidence_summary": "Kybella chỉ có bằng chứng mức độ I đối "
            "với mỡ vùng dưới cằm. FDA cảnh báo rằng "
            "các thuốc tiêm tan mỡ không được chấp "
            "thuận có thể gây sẹo, nhiễm trùng và "
            "biến dạng.",
            "name": "Tiêm tan mỡ",
            "purpose": "Giảm mỡ vùng dưới cằm ở mức độ trung bình đến nặng.",
            "risks": "Mọi mũi tiêm vào da đều là một thủ thuật y khoa. "
            "Bạn nên lường trước các vết kim châm, đỏ da, sưng "
            "hoặc bầm tím trong vài ngày. Ít gặp hơn: phản ứng "
            "dị ứng, nổi cục kéo dài, đốm sẫm màu (tăng sắc "
            "tố), sẹo và nhiễm trùng, kể cả nhiễm trùng do vi "
            "khuẩn lao không điển hình (NTM) có thể phải điều "
            "trị bằng kháng sinh trong nhiều tháng. Hiếm gặp: "
            "tiêm vào mạch máu có thể gây tổn thương da (hoại "
            "tử). Kybella thường gây sưng, bầm tím, đau và tê "
            "vùng dưới cằm, và hiếm khi có thể làm tổn thương "
            "một dây thần kinh vùng hàm (gây nụ cười lệch) hoặc "
            "gây khó nuốt.",
            "summary": "Tiêm thuốc phá hủy tế bào mỡ; Kybella là loại "
            "duy nhất được FDA chấp thuận, và chỉ dành cho mỡ "
            "vùng dưới cằm.",
        },
        "mesotherapy": {
            "aftercare": "Giữ vùng điều trị sạch sẽ và không chạm vào trong "
            "6 giờ. Không trang điểm lên vùng điều trị cho đến "
            "ngày hôm sau. Tránh nhiệt (xông hơi, yoga nóng), "
            "vận động gắng sức và rượu bia trong 24 giờ. Dùng "
            "biện pháp chống nắng. Liên hệ ngay với phòng khám "
            "nếu vùng đỏ lan rộng, vùng điều trị trở nên nóng "
            "hoặc đau hơn, bạn thấy mủ hoặc nổi cục, hoặc bạn "
            "bị sốt.",
            "alternatives": "Lột da hóa học (peel), lăn kim "
            "(microneedling), laser, tiêm dưỡng chất cho da "
            "(skin booster) bằng axit hyaluronic đã được "
            "chuẩn hóa (như SKINVIVE cho vùng má), chăm sóc "
            "da hằng ngày đúng cách.",
            "description": "Tiêm meso (mesotherapy, liệu pháp tiêm trong "
            "da) là một loạt mũi tiêm rất nhỏ vào da: khoảng "
            "0,1–0,2 mL cho mỗi mũi tiêm nhỏ, các mũi cách "
            "nhau 1–3 cm, sâu khoảng 2 mm. Mesotherapy là "
            "tên của phương pháp, không phải tên của một sản "
            "phẩm: thứ được tiêm vào da khác nhau giữa các "
            "phòng khám. Tại đây bạn có thể xem chính xác "
            "sản phẩm chúng tôi dùng, thương hiệu và thành "
            "phần của sản phẩm đó.",
            "evidence_summary": "Chưa thống nhất. Trong một thử nghiệm ngẫu "
            "nhiên, tiêm vi điểm axit hyaluronic cải "
            "thiện chất lượng da trên siêu âm so với "
            "tiêm nước muối sinh lý, nhưng một tổng "
            "quan năm 2021 kết luận rằng bằng chứng về "
            "hiệu quả trẻ hóa da còn hạn chế và thường "
            "mang tính chủ quan. Học viện Da liễu Hoa "
            "Kỳ (American Academy of Dermatology) không "
            "khuyến cáo tiêm meso để điều trị cellulite "
            "(da sần vỏ cam).",
            "name": "Tiêm meso (mesotherapy)",
            "purpose": "Cấp ẩm, cải thiện kết cấu và độ rạng rỡ của da; một "
            "số phòng khám cũng dùng phương pháp này cho da đầu "
            "và cơ thể.",
            "risks": "Mọi mũi tiêm vào da đều là một thủ thuật y khoa. Bạn "
            "nên lường trước các vết kim châm, đỏ da, sưng hoặc "
            "bầm tím trong vài ngày. Ít gặp hơn: phản ứng dị ứng, "
            "nổi cục kéo dài, đốm sẫm màu (tăng sắc tố), sẹo và "
            "nhiễm trùng, kể cả nhiễm trùng do vi khuẩn lao không "
            "điển hình (NTM) có thể phải điều trị bằng kháng sinh "
            "trong nhiều tháng. Hiếm gặp: tiêm vào mạch máu có thể "
            "gây tổn thương da (hoại tử).",
            "summary": "Nhiều mũi tiêm rất nhỏ đưa hỗn hợp vitamin, axit "
            "hyaluronic hoặc các thành phần khác vào da.",
        },
        "skin_booster": {
            "aftercare": "Giữ vùng điều trị sạch sẽ và không chạm vào "
            "trong 6 giờ. Không trang điểm lên vùng điều trị "
            "cho đến ngày hôm sau. Tránh nhiệt (xông hơi, "
            "yoga nóng), vận động gắng sức và rượu bia trong "
            "24 giờ. Dùng biện pháp chống nắng. Liên hệ ngay "
            "với phòng khám nếu vùng đỏ lan rộng, vùng điều "
            "trị trở nên nóng hoặc đau hơn, bạn thấy mủ hoặc "
            "nổi cục, hoặc bạn bị sốt.",
            "alternatives": "Tiêm meso (mesotherapy), lột da hóa học "
            "(peel), lăn kim (microneedling), laser, hoặc "
            "chất làm đầy (filler) tạo thể tích nếu mục "
            "tiêu là tăng thể tích.",
            "description": "Tiêm trong da các vi giọt gel axit hyaluronic "
            "đã được chuẩn hóa. Khác với chất làm đầy "
            "(filler), phương pháp này không làm tăng thể "
            "tích; nó giúp cải thiện độ mịn của da.",
            "evidence_summary": "SKINVIVE by JUVÉDERM được FDA chấp thuận "
            "để cải thiện độ mịn của da vùng má ở "
            "người lớn trên 21 tuổi, với hiệu quả kéo "
            "dài khoảng 6 tháng trong các nghiên cứu "
            "lâm sàng.",
            "name": "Tiêm dưỡng chất cho da (skin booster) bằng axit hyaluronic",
            "purpose": "Cải thiện độ mịn và chất lượng da vùng má.",
            "risks": "Mọi mũi tiêm vào da đều là một thủ thuật y khoa. Bạn "
            "nên lường trước các vết kim châm, đỏ da, sưng hoặc "
            "bầm tím trong vài ngày. Ít gặp hơn: phản ứng dị ứng, "
            "nổi cục kéo dài, đốm sẫm màu (tăng sắc tố), sẹo và "
            "nhiễm trùng, kể cả nhiễm trùng do vi khuẩn lao không "
            "điển hình (NTM) có thể phải điều trị bằng kháng sinh "
            "trong nhiều tháng. Hiếm gặp: tiêm vào mạch máu có "
            "thể gây tổn thương da (hoại tử).",
            "summary": "Các vi giọt axit hyaluronic đã được chuẩn hóa được "
            "tiêm vào da để da mịn hơn, không nhằm tạo thêm thể "
            "tích.",
        },
    },
}

MODELS = {
    "area": "Area",
    "treatment": "Treatment",
    "ingredient": "Ingredient",
    "product": "Product",
}


def translate(apps, schema_editor):
    for kind, model_name in MODELS.items():
        model = apps.get_model("catalog", model_name)
        for code, texts in VIETNAMESE[kind].items():
            row = model.objects.filter(code=code).first()
            if row is None or (row.translations or {}).get("vi"):
                continue
            row.translations = {**(row.translations or {}), "vi": texts}
            row.save(update_fields=["translations"])


def untranslate(apps, schema_editor):
    for kind, model_name in MODELS.items():
        model = apps.get_model("catalog", model_name)
        for row in model.objects.filter(code__in=list(VIETNAMESE[kind])):
            row.translations = {k: v for k, v in (row.translations or {}).items() if k != "vi"}
            row.save(update_fields=["translations"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_catalog_translations")]
    operations = [migrations.RunPython(translate, untranslate)]
