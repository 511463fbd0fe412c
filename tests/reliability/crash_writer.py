"""A process that saves requests in a loop through the real intake service, to be killed.

``python crash_writer.py DB_PATH TAG [COUNT]``: opens (and, if needed, migrates) the
database as the program does, then saves requests — new and returning enterprises, a
credit code given later to a company first recorded without one, long and short texts,
chosen and routed categories — and prints ``TRACKING_NO UUID`` on its own line only after
``create_request`` has returned, i.e. after the commit. COUNT < 0 (the default) saves until
killed. test_crash_safety.py SIGKILLs it at random moments.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

_TEXTS = (
    "想申请一笔银行科技贷款，需要担保公司支持",
    "咨询人才落户和人才公寓申请的条件",
    "合同纠纷需要法律援助和调解",
    "企业被列入经营异常名录，想做信用修复",
    "申请徐汇区的科技创新补贴政策",
    "办公楼宇网络信号很差，想协调宽带",
    "办理营业执照地址变更",
    "需要对接知识产权质押融资",
)


def main(argv: list[str]) -> int:
    path, tag = Path(argv[1]), argv[2]
    count = int(argv[3]) if len(argv) > 3 else -1

    from xuhui_desk.db import open_database
    from xuhui_desk.services.assignment import load_router
    from xuhui_desk.services.intake import EnterpriseInput, IntakeInput, create_request
    from xuhui_desk.validation import org_code_check_char, uscc_check_char

    def uscc(n: int) -> str:
        org = f"{50_000_000 + n * 7919:08d}"  # not the codes of the test's own synthetic rows
        body = "91310104" + org + org_code_check_char(org)
        return body + uscc_check_char(body)

    db = open_database(path)
    with db.session() as s:
        router = load_router(s)
    rng = random.Random(tag)
    saved = 0
    while count < 0 or saved < count:
        k = rng.randrange(40)
        code = uscc(k) if k < 20 and rng.random() < 0.6 else ""  # the same company, sometimes without its code
        text = rng.choice(_TEXTS)
        if rng.random() < 0.2:
            text = (text + "，详细情况如下：" + "企业经营情况说明😀" * rng.randrange(50, 350))[:3900]
        data = IntakeInput(
            enterprise=EnterpriseInput(name=f"上海崩溃测试{k}号科技有限公司", uscc=code,
                                       phone=rng.choice(["", "13812345678", "021-64871234", f"139{k:08d}"]),
                                       park=rng.choice(["", "徐汇软件园", "漕河泾开发区"])),
            description=f"{text}（{tag}-{saved}）",
            category=rng.choice([None, None, None, "finance", "policy", "other"]),
            urgency=rng.choice(["normal", "urgent"]),
        )
        result = create_request(db, data, router=router)
        sys.stdout.write(f"{result.tracking_no} {result.uuid}\n")
        sys.stdout.flush()
        saved += 1
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
