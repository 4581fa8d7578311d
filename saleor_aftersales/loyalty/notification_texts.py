"""Customer notifications of the loyalty capability: {event: {language: (subject, body)}}.

Placeholders come from the notification context: points, order_number, expires_on, channel, reward_en, reward_zh_hans, code.
"""

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "loyalty_points_earned": {
        "en": (
            "You earned {points} points with order #{order_number}",
            "Thank you for order #{order_number}: {points} loyalty points are on their way. "
            "They become available once the return window of the order has closed.",
        ),
        "zh-hans": (
            "订单 #{order_number} 为您赚取了 {points} 积分",
            "感谢您的订单 #{order_number}：{points} 积分即将到账，订单退货期结束后即可使用。",
        ),
    },
    "loyalty_points_expiring": {
        "en": (
            "{points} of your points expire soon",
            "{points} loyalty points expire on {expires_on}. Claim a reward before then to keep their value.",
        ),
        "zh-hans": (
            "您有 {points} 积分即将过期",
            "您有 {points} 积分将于 {expires_on} 过期，请在此之前兑换奖励，以免积分失效。",
        ),
    },
    "loyalty_reward_issued": {
        "en": (
            "Your reward is ready: {reward_en}",
            "You used {points} points for {reward_en}. Your code: {code}",
        ),
        "zh-hans": (
            "您的奖励已发放：{reward_zh_hans}",
            "您已使用 {points} 积分兑换 {reward_zh_hans}。兑换码：{code}",
        ),
    },
}
