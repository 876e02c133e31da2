// The 3-D Secure return page: asks the merchant server for the payment's final status.
// The order is the one the shop named in its return_url (`?order=`), not whatever PayKKa
// may add.
const result = document.getElementById('result');
const transId = new URLSearchParams(location.search).get('order');

async function check() {
  if (!transId) {
    result.dataset.state = 'error';
    result.textContent = 'No payment to show.';
    return;
  }
  const response = await fetch(`/api/payments/${encodeURIComponent(transId)}`);
  const answer = await response.json();
  if (!response.ok) {
    result.dataset.state = 'error';
    result.textContent = answer.message;
  } else if (answer.status === 'SUCCESS' || answer.status === 'AUTHORIZED') {
    result.dataset.state = 'success';
    result.textContent = `Paid. Order ${answer.order_id}${answer.card ? `, card ending ${answer.card.last4}` : ''}.`;
  } else if (answer.status === 'PROCESSING') {
    result.dataset.state = 'processing';
    result.textContent = 'Still waiting for your bank…';
    setTimeout(check, 1000);
  } else {
    result.dataset.state = 'declined';
    result.textContent = `Payment not completed: ${answer.message}`;
  }
}

check().catch(() => {
  result.dataset.state = 'error';
  result.textContent = 'Could not check the payment. Please reload.';
});
