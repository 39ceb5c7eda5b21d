"""Publish the first consent text in Vietnamese, the same version as the English one.

A Vietnamese-speaking patient signs this text; its hash is computed as ConsentText.digest does.
"""

import datetime as dt
import hashlib

from django.db import migrations

VERSION = "2026-11-v1"
PUBLISHED_AT = dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.UTC)
TITLE = "Bản đồng ý điều trị bằng phương pháp tiêm và sử dụng thông tin sức khỏe của tôi"
BODY = "1. Theo hiểu biết của tôi, những thông tin tôi đã cung cấp trong phiếu này là đúng sự thật và đầy đủ. Tôi sẽ báo cho phòng khám trước khi điều trị nếu có bất kỳ thay đổi nào, đặc biệt là mang thai, cho con bú, dùng một loại thuốc mới, bị nhiễm trùng, mụn rộp môi (herpes môi) hoặc phát ban ở vùng sẽ được điều trị.\n\n2. Tôi hiểu rằng việc tiêm vào da, gồm tiêm meso (mesotherapy), tiêm dưỡng chất cho da (skin booster), tiêm chất làm đầy (filler) và tiêm tan mỡ, là các thủ thuật y khoa. Các tác dụng phụ có thể xảy ra bao gồm đau, đỏ da, sưng, bầm tím, phản ứng dị ứng, nổi cục, đốm sẫm màu, sẹo và nhiễm trùng, kể cả những loại nhiễm trùng có thể phải điều trị bằng kháng sinh trong nhiều tháng, và, trong trường hợp hiếm gặp, tổn thương da nếu mạch máu bị ảnh hưởng.\n\n3. Tôi hiểu rằng bác sĩ sẽ xem xét các câu trả lời của tôi trước khi có thể đặt lịch cho bất kỳ liệu trình nào, và bác sĩ có thể chấp thuận một liệu trình, yêu cầu khám trực tiếp cho tôi trước, yêu cầu tôi chờ thêm, hoặc từ chối. Tôi sẽ được thông báo sản phẩm nào sẽ được sử dụng, sản phẩm đó có thành phần gì, và sản phẩm đó có được chấp thuận cho vùng sẽ được điều trị hay không.\n\n4. Tôi đồng ý để phòng khám lưu trữ và sử dụng các câu trả lời của tôi và chữ ký này nhằm đánh giá liệu một liệu trình có an toàn cho tôi hay không, để điều trị cho tôi và để lưu giữ hồ sơ bệnh án theo quy định của pháp luật. Chỉ những nhân viên phòng khám cần đến thông tin này mới được xem tiền sử bệnh của tôi, và mỗi lần họ mở xem đều được ghi lại. Tôi có thể tải xuống dữ liệu của mình và yêu cầu đóng tài khoản; phòng khám vẫn lưu giữ những hồ sơ bệnh án mà phòng khám bắt buộc phải lưu giữ.\n\n5. Việc ký phiếu này không có nghĩa là tôi đồng ý thực hiện một liệu trình cụ thể vào một ngày cụ thể: trước mỗi lần điều trị, bác sĩ sẽ giải thích về liệu trình đó, và tôi có thể đặt câu hỏi cũng như thay đổi quyết định của mình bất cứ lúc nào.\n"


def publish(apps, schema_editor):
    ConsentText = apps.get_model("intake", "ConsentText")
    ConsentText.objects.get_or_create(
        version=VERSION,
        language="vi",
        defaults={
            "title": TITLE,
            "body": BODY,
            "sha256": hashlib.sha256(f"{TITLE}\n\n{BODY}".encode()).hexdigest(),
            "published_at": PUBLISHED_AT,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("intake", "0003_immutability_triggers")]
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
